using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace SaasMonitor.Embedded.Journal;

internal enum ReadStatus
{
    /// <summary>A complete, verified record.</summary>
    Record,
    /// <summary>Nothing left before the limit.</summary>
    End,
    /// <summary>The bytes before the limit end inside a record.</summary>
    Torn,
    /// <summary>A record whose length or checksum is wrong.</summary>
    Corrupt,
}

/// <summary>
/// Reads records sequentially from a segment file in large chunks (one read call per chunk, not per record).
/// Without buffer reuse every chunk is a fresh array, so decoded messages may keep slices of it.
/// </summary>
internal sealed class SegmentReader(int chunkSize, bool reuseBuffer)
{
    private byte[] _buffer = [];
    private long _bufferPosition;
    private int _start;
    private int _end;

    /// <summary>The file position of the next record.</summary>
    public long Position => _bufferPosition + _start;

    /// <summary>The chunk holding the record last returned.</summary>
    public byte[] Buffer => _buffer;

    public void Reset(long position)
    {
        _bufferPosition = position;
        _start = 0;
        _end = 0;
    }

    /// <summary>Reads the record at <see cref="Position"/> if it ends at or before <paramref name="limit"/>.</summary>
    public ReadStatus TryRead(SafeFileHandle file, long limit, out int recordStart)
    {
        recordStart = 0;
        var available = limit - Position;
        if (available <= 0)
        {
            return ReadStatus.End;
        }

        if (available < RecordFormat.PrefixSize || !Fill(file, limit, RecordFormat.PrefixSize))
        {
            return ReadStatus.Torn;
        }

        var bodyLength = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (bodyLength is < RecordFormat.MinBodySize or > int.MaxValue - RecordFormat.PrefixSize)
        {
            return ReadStatus.Corrupt;
        }

        var length = RecordFormat.PrefixSize + bodyLength;
        if (length > available || !Fill(file, limit, length))
        {
            return ReadStatus.Torn;
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + 4));
        if (Crc32C.Compute(_buffer.AsSpan(_start + RecordFormat.PrefixSize, bodyLength)) != expected)
        {
            return ReadStatus.Corrupt;
        }

        recordStart = _start;
        _start += length;
        return ReadStatus.Record;
    }

    private bool Fill(SafeFileHandle file, long limit, int needed)
    {
        var buffered = _end - _start;
        if (buffered >= needed)
        {
            return true;
        }

        var size = (int)Math.Min(limit - Position, Math.Max(needed, chunkSize));
        var target = reuseBuffer && _buffer.Length >= size ? _buffer : new byte[reuseBuffer ? Math.Max(size, chunkSize) : size];
        System.Buffer.BlockCopy(_buffer, _start, target, 0, buffered);
        _bufferPosition += _start;
        _buffer = target;
        _start = 0;
        _end = buffered;
        while (_end < size)
        {
            var read = RandomAccess.Read(file, target.AsSpan(_end, size - _end), _bufferPosition + _end);
            if (read == 0)
            {
                break;
            }

            _end += read;
        }

        return _end >= needed;
    }
}
