using System.Buffers.Binary;
using System.IO.Hashing;

namespace Ingest.Gateway;

/// <summary>
/// Checks a gzip body against its trailer (the CRC-32 and length of what it inflates to), because the decompressor
/// ends quietly when a body is cut short. Sees the compressed bytes as they are read (keeping the last eight) and the
/// inflated ones; at the end of the inflated stream a mismatch throws <see cref="InvalidDataException"/>, before
/// anything of the request is written.
/// </summary>
internal sealed class GzipTrailer
{
    private const int TrailerBytes = 8;

    private readonly byte[] _tail = new byte[TrailerBytes];
    private readonly Crc32 _crc = new();
    private int _tailLength;
    private long _inflated;
    private bool _verified;

    public void Compressed(ReadOnlySpan<byte> read)
    {
        if (read.Length >= TrailerBytes)
        {
            read[^TrailerBytes..].CopyTo(_tail);
            _tailLength = TrailerBytes;
            return;
        }

        Span<byte> combined = stackalloc byte[2 * TrailerBytes];
        _tail.AsSpan(0, _tailLength).CopyTo(combined);
        read.CopyTo(combined[_tailLength..]);
        var total = _tailLength + read.Length;
        _tailLength = Math.Min(TrailerBytes, total);
        combined.Slice(total - _tailLength, _tailLength).CopyTo(_tail);
    }

    public void Inflated(ReadOnlySpan<byte> read)
    {
        if (!read.IsEmpty)
        {
            _crc.Append(read);
            _inflated += read.Length;
            return;
        }

        if (_verified)
        {
            return;
        }

        _verified = true;
        if (_tailLength < TrailerBytes || BinaryPrimitives.ReadUInt32LittleEndian(_tail) != _crc.GetCurrentHashAsUInt32()
            || BinaryPrimitives.ReadUInt32LittleEndian(_tail.AsSpan(4)) != (uint)_inflated)
        {
            throw new InvalidDataException(Refusal("its trailer does not match what it inflates to (a body of several gzip members is not supported either)."));
        }
    }

    /// <summary>The reason a gzip body is refused, with the detail of what was wrong.</summary>
    public static string Refusal(string detail) => $"The gzip body is truncated or corrupt: {detail} Nothing was written.";
}
