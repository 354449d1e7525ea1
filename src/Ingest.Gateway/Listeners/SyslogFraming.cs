using System.Buffers;

namespace Ingest.Gateway.Listeners;

/// <summary>
/// RFC 6587 framing of syslog over TCP: octet counting (<c>LEN SP MSG</c>, the frame starts with a digit) or
/// newline framing (the message ends at LF; a trailing CR or NUL is dropped). A message starts with <c>&lt;</c>
/// (its PRI) or with text, never with a digit, so the first byte tells the two apart frame by frame.
/// </summary>
internal static class SyslogFraming
{
    private const int LongestLength = 9;

    /// <summary>Takes the next whole frame from <paramref name="buffer"/>; false when more bytes are needed.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (buffer.IsEmpty)
        {
            return false;
        }

        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryPeek(out var first) && first is >= (byte)'0' and <= (byte)'9')
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> digits, (byte)' ') || digits.Length > LongestLength
                || !TryParseLength(digits, out var length) || reader.Remaining < length)
            {
                return false;
            }

            message = buffer.Slice(reader.Position, length);
            buffer = buffer.Slice(message.End);
            return true;
        }

        if (!reader.TryReadTo(out message, (byte)'\n'))
        {
            return false;
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    /// <summary>The message without trailing CR, LF or NUL.</summary>
    public static byte[] Trim(byte[] message)
    {
        var end = message.AsSpan().TrimEnd("\r\n\0"u8).Length;
        return end == message.Length ? message : message[..end];
    }

    private static bool TryParseLength(ReadOnlySequence<byte> digits, out long length)
    {
        length = 0;
        foreach (var segment in digits)
        {
            foreach (var b in segment.Span)
            {
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }

                length = (length * 10) + (b - '0');
            }
        }

        return digits.Length > 0;
    }
}
