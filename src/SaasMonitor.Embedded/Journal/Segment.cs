using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>One entry of a segment's sparse index: the first record of a chunk of about <see cref="Segment.IndexIntervalBytes"/> and the newest timestamp in that chunk.</summary>
internal readonly record struct IndexEntry(long Offset, long Position, long MaxTimestamp);

/// <summary>
/// A file of consecutive records of one partition, named by its first offset, with a sparse in-memory index
/// by offset and time. Closed segments keep their index in a side file so opening the journal does not read them.
/// Mutations happen under the owning partition's lock; readers take a reference so retention can delete the file safely.
/// </summary>
internal sealed class Segment
{
    public const int IndexIntervalBytes = 4096;
    private const int ScanChunkBytes = 256 * 1024;
    private const uint IndexMagic = 0x494A4D53;
    private const int IndexHeaderBytes = 4 + 8 + 8 + 8 + 4;
    private const int IndexEntryBytes = 24;

    private readonly List<IndexEntry> _index;
    private long _length;
    private int _references = 1;
    private int _closed;

    private Segment(string logPath, long baseOffset, SafeFileHandle file, List<IndexEntry> index)
    {
        LogPath = logPath;
        BaseOffset = baseOffset;
        File = file;
        _index = index;
        NextOffset = baseOffset;
    }

    public long BaseOffset { get; }

    public string LogPath { get; }

    public SafeFileHandle File { get; }

    /// <summary>Bytes of complete records; readers never look past it.</summary>
    public long Length => Volatile.Read(ref _length);

    public long NextOffset { get; private set; }

    /// <summary>The newest record timestamp (Unix ms), <see cref="long.MinValue"/> while empty.</summary>
    public long MaxTimestamp { get; private set; } = long.MinValue;

    private string IndexPath => Path.ChangeExtension(LogPath, ".idx");

    public static string FileNameOf(long baseOffset) => $"{baseOffset:D20}.log";

    public static Segment Create(string directory, long baseOffset)
    {
        var path = Path.Combine(directory, FileNameOf(baseOffset));
        return new Segment(path, baseOffset, OpenFile(path, FileMode.CreateNew), []);
    }

    /// <summary>
    /// Opens an existing segment. The newest segment of a partition (the tail) is scanned and cut back to its last
    /// complete, verified record; an older one loads its index file or is scanned, and must be intact.
    /// </summary>
    public static Segment Open(string path, long baseOffset, bool isTail)
    {
        var file = OpenFile(path, FileMode.Open);
        try
        {
            var segment = new Segment(path, baseOffset, file, []);
            var fileLength = RandomAccess.GetLength(file);
            if (isTail || !segment.TryLoadIndex(fileLength))
            {
                segment.Recover(fileLength, isTail);
                if (!isTail)
                {
                    segment.WriteIndex(flushToDisk: false);
                }
            }

            return segment;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes complete records (offsets continuing <see cref="NextOffset"/>) at the end of the file.</summary>
    public void Append(ReadOnlySpan<byte> records)
    {
        var start = _length;
        try
        {
            RandomAccess.Write(File, records, start);
        }
        catch
        {
            // A partial write must not be mistaken for records after the next append.
            RandomAccess.SetLength(File, start);
            throw;
        }

        for (var at = 0; at < records.Length;)
        {
            var record = records[at..];
            Track(RecordFormat.OffsetOf(record), RecordFormat.LastOffsetOf(record), start + at, RecordFormat.TimestampOf(record));
            at += RecordFormat.LengthOf(record);
        }

        Volatile.Write(ref _length, start + records.Length);
    }

    public void FlushToDisk() => RandomAccess.FlushToDisk(File);

    /// <summary>The file position to start reading from to find <paramref name="offset"/>.</summary>
    public long PositionOf(long offset)
    {
        int low = 0, high = _index.Count - 1;
        long position = 0;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (_index[middle].Offset <= offset)
            {
                position = _index[middle].Position;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return position;
    }

    /// <summary>The start of the first chunk holding a record at or after <paramref name="timestampMs"/>, if any.</summary>
    public long? PositionOfTime(long timestampMs)
    {
        foreach (var entry in _index)
        {
            if (entry.MaxTimestamp >= timestampMs)
            {
                return entry.Position;
            }
        }

        return null;
    }

    /// <summary>Persists the index beside a segment that will not grow any more.</summary>
    public void WriteIndex(bool flushToDisk)
    {
        var content = new byte[IndexHeaderBytes + (_index.Count * IndexEntryBytes) + 4];
        var span = content.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, IndexMagic);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], _length);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], NextOffset);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], MaxTimestamp);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], _index.Count);
        var at = IndexHeaderBytes;
        foreach (var entry in _index)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], entry.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], entry.Position);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 16)..], entry.MaxTimestamp);
            at += IndexEntryBytes;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        AtomicFile.Write(IndexPath, content, flushToDisk);
    }

    /// <summary>Takes a read reference; false once the segment is closed or deleted.</summary>
    public bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0 && Volatile.Read(ref _closed) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            File.Dispose();
        }
    }

    /// <summary>Stops new reads; the file handle closes when the last reader releases it.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Release();
        }
    }

    public void Delete()
    {
        Close();
        System.IO.File.Delete(IndexPath);
        System.IO.File.Delete(LogPath);
    }

    private static SafeFileHandle OpenFile(string path, FileMode mode) =>
        System.IO.File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    /// <summary>Notes a record (or a batch of <paramref name="offset"/> to <paramref name="lastOffset"/>) written at <paramref name="position"/>.</summary>
    private void Track(long offset, long lastOffset, long position, long timestampMs)
    {
        if (_index.Count == 0 || position - _index[^1].Position >= IndexIntervalBytes)
        {
            _index.Add(new IndexEntry(offset, position, timestampMs));
        }
        else if (timestampMs > _index[^1].MaxTimestamp)
        {
            _index[^1] = _index[^1] with { MaxTimestamp = timestampMs };
        }

        NextOffset = lastOffset + 1;
        MaxTimestamp = Math.Max(MaxTimestamp, timestampMs);
    }

    private void Recover(long fileLength, bool isTail)
    {
        var reader = new SegmentReader(ScanChunkBytes, reuseBuffer: true);
        while (true)
        {
            var position = reader.Position;
            var status = reader.TryRead(File, fileLength, out var start);
            var record = reader.Buffer.AsSpan(start);
            if (status == ReadStatus.Record && RecordFormat.OffsetOf(record) == NextOffset)
            {
                Track(NextOffset, RecordFormat.LastOffsetOf(record), position, RecordFormat.TimestampOf(record));
                continue;
            }

            if (status != ReadStatus.End)
            {
                if (!isTail)
                {
                    throw new BusException($"The journal segment {LogPath} is damaged at byte {position}; only the newest segment of a partition is repaired on open.");
                }

                // The tail ends in a write that never completed (a killed process): it was never acknowledged.
                RandomAccess.SetLength(File, position);
            }

            _length = position;
            return;
        }
    }

    private bool TryLoadIndex(long fileLength)
    {
        if (!System.IO.File.Exists(IndexPath))
        {
            return false;
        }

        var content = System.IO.File.ReadAllBytes(IndexPath).AsSpan();
        if (content.Length < IndexHeaderBytes + 4
            || BinaryPrimitives.ReadUInt32LittleEndian(content) != IndexMagic
            || BinaryPrimitives.ReadUInt32LittleEndian(content[^4..]) != Crc32C.Compute(content[..^4])
            || BinaryPrimitives.ReadInt64LittleEndian(content[4..]) != fileLength)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(content[28..]);
        if (content.Length != IndexHeaderBytes + (count * IndexEntryBytes) + 4)
        {
            return false;
        }

        for (var at = IndexHeaderBytes; at < content.Length - 4; at += IndexEntryBytes)
        {
            _index.Add(new IndexEntry(
                BinaryPrimitives.ReadInt64LittleEndian(content[at..]),
                BinaryPrimitives.ReadInt64LittleEndian(content[(at + 8)..]),
                BinaryPrimitives.ReadInt64LittleEndian(content[(at + 16)..])));
        }

        _length = fileLength;
        NextOffset = BinaryPrimitives.ReadInt64LittleEndian(content[12..]);
        MaxTimestamp = BinaryPrimitives.ReadInt64LittleEndian(content[20..]);
        return true;
    }
}
