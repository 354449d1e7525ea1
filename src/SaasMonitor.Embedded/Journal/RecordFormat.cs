using System.Buffers.Binary;
using System.Text;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>
/// On-disk framing of one record, little-endian:
/// body length (int32), CRC-32C of the body (uint32), then the body:
/// offset (int64), timestamp in Unix milliseconds (int64), key length (int32, -1 = no key), key,
/// header count (int32), per header name length (int32), UTF-8 name, value length (int32), value,
/// value length (int32), value.
/// </summary>
internal static class RecordFormat
{
    public const int PrefixSize = 8;
    public const int MinBodySize = 28;
    private const int OffsetAt = 0;
    private const int TimestampAt = 8;
    private const int KeyAt = 16;

    public static int SizeOf(BusMessage message)
    {
        var size = PrefixSize + MinBodySize + (message.Key?.Length ?? 0) + message.Value.Length;
        foreach (var header in message.Headers)
        {
            size += 8 + Encoding.UTF8.GetByteCount(header.Key) + header.Value.Length;
        }

        return size;
    }

    /// <summary>Writes the record into <paramref name="destination"/> (sized by <see cref="SizeOf"/>) and returns its length.</summary>
    public static int Write(Span<byte> destination, BusMessage message, long offset, long timestampMs)
    {
        var body = destination[PrefixSize..];
        BinaryPrimitives.WriteInt64LittleEndian(body[OffsetAt..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(body[TimestampAt..], timestampMs);
        var at = KeyAt;
        if (message.Key is { } key)
        {
            at = WriteBytes(body, at, key.Span);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(body[at..], -1);
            at += 4;
        }

        BinaryPrimitives.WriteInt32LittleEndian(body[at..], message.Headers.Count);
        at += 4;
        foreach (var header in message.Headers)
        {
            var nameLength = Encoding.UTF8.GetBytes(header.Key, body[(at + 4)..]);
            BinaryPrimitives.WriteInt32LittleEndian(body[at..], nameLength);
            at = WriteBytes(body, at + 4 + nameLength, header.Value.Span);
        }

        at = WriteBytes(body, at, message.Value.Span);
        BinaryPrimitives.WriteInt32LittleEndian(destination, at);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(body[..at]));
        return PrefixSize + at;
    }

    public static long OffsetOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[(PrefixSize + OffsetAt)..]);

    public static long TimestampOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[(PrefixSize + TimestampAt)..]);

    public static int LengthOf(ReadOnlySpan<byte> record) => PrefixSize + BinaryPrimitives.ReadInt32LittleEndian(record);

    /// <summary>Decodes a verified record; key, header values and value share <paramref name="buffer"/>.</summary>
    public static ConsumedMessage Decode(string topic, int partition, byte[] buffer, int start)
    {
        var span = buffer.AsSpan(start);
        var bodyStart = start + PrefixSize;
        var body = span[PrefixSize..LengthOf(span)];
        var at = KeyAt;
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        ReadOnlyMemory<byte>? key = null;
        if (keyLength >= 0)
        {
            key = new ReadOnlyMemory<byte>(buffer, bodyStart + at, keyLength);
            at += keyLength;
        }

        var headerCount = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        var headers = headerCount == 0 ? [] : new MessageHeader[headerCount];
        for (var i = 0; i < headerCount; i++)
        {
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            var name = Encoding.UTF8.GetString(body.Slice(at + 4, nameLength));
            at += 4 + nameLength;
            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            headers[i] = new MessageHeader(name, new ReadOnlyMemory<byte>(buffer, bodyStart + at + 4, valueLength));
            at += 4 + valueLength;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        var value = new ReadOnlyMemory<byte>(buffer, bodyStart + at + 4, length);
        return new ConsumedMessage(
            topic,
            partition,
            BinaryPrimitives.ReadInt64LittleEndian(body[OffsetAt..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(body[TimestampAt..])),
            key,
            value,
            headers);
    }

    private static int WriteBytes(Span<byte> body, int at, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(body[at..], bytes.Length);
        bytes.CopyTo(body[(at + 4)..]);
        return at + 4 + bytes.Length;
    }
}
