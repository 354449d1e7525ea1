using System.Buffers;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>
/// One partition: an ordered run of segments with contiguous offsets. Appends and structural changes
/// (roll, retention) hold the partition lock; readers see only records below <see cref="High"/>.
/// </summary>
internal sealed class PartitionLog : IDisposable
{
    /// <summary>What one produce call appends to a partition is compressed from this size on.</summary>
    private const int MinCompressedBytes = 4096;

    /// <summary>The most bytes of records in one compressed batch (a single larger message makes a batch of its own).</summary>
    private const int BatchBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly string _directory;
    private readonly JournalOptions _options;
    private Segment[] _segments;
    private long _low;
    private long _high;

    private PartitionLog(string topic, int partition, string directory, JournalOptions options, Segment[] segments)
    {
        Topic = topic;
        Partition = partition;
        _directory = directory;
        _options = options;
        _segments = segments;
        _low = segments[0].BaseOffset;
        _high = segments[^1].NextOffset;
    }

    public string Topic { get; }

    public int Partition { get; }

    public bool IsClosed { get; private set; }

    /// <summary>The first offset still held.</summary>
    public long Low => Volatile.Read(ref _low);

    /// <summary>The next offset to be written; every record below it is complete and readable.</summary>
    public long High => Volatile.Read(ref _high);

    public static PartitionLog Open(string topic, int partition, string directory, JournalOptions options)
    {
        Directory.CreateDirectory(directory);
        var files = Directory.GetFiles(directory, "*.log")
            .Select(path => (Path: path, Base: long.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(file => file.Base)
            .ToArray();
        if (files.Length == 0)
        {
            return new PartitionLog(topic, partition, directory, options, [Segment.Create(directory, 0)]);
        }

        var segments = new List<Segment>(files.Length);
        try
        {
            for (var i = 0; i < files.Length; i++)
            {
                var segment = Segment.Open(files[i].Path, files[i].Base, isTail: i == files.Length - 1);
                segments.Add(segment);
                if (i > 0 && segments[i - 1].NextOffset != segment.BaseOffset)
                {
                    throw new BusException($"The journal partition {directory} has a gap: {segments[i - 1].LogPath} ends at offset {segments[i - 1].NextOffset} but the next segment starts at {segment.BaseOffset}.");
                }
            }
        }
        catch
        {
            segments.ForEach(segment => segment.Close());
            throw;
        }

        return new PartitionLog(topic, partition, directory, options, [.. segments]);
    }

    /// <summary>
    /// Appends the messages whose entry in <paramref name="partitionOf"/> is this partition, in input order,
    /// with one write, and stores their positions in <paramref name="positions"/>. Writes nothing when none are.
    /// </summary>
    public void Append(IReadOnlyList<BusMessage> messages, ReadOnlySpan<int> partitionOf, Span<TopicPartitionOffset> positions, long nowMs)
    {
        var size = 0;
        for (var i = 0; i < partitionOf.Length; i++)
        {
            if (partitionOf[i] == Partition)
            {
                size += RecordFormat.SizeOf(messages[i]);
            }
        }

        if (size == 0)
        {
            return;
        }

        if (_options.Compression != JournalCompression.None && size >= MinCompressedBytes && AppendCompressed(messages, partitionOf, positions, nowMs, size))
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            lock (_gate)
            {
                var segment = ActiveSegmentFor(size);
                var offset = _high;
                var at = 0;
                for (var i = 0; i < partitionOf.Length; i++)
                {
                    if (partitionOf[i] != Partition)
                    {
                        continue;
                    }

                    var message = messages[i];
                    var timestamp = message.Timestamp?.ToUnixTimeMilliseconds() ?? nowMs;
                    at += RecordFormat.Write(buffer.AsSpan(at), message, offset, timestamp);
                    positions[i] = new TopicPartitionOffset(Topic, Partition, offset);
                    offset++;
                }

                segment.Append(buffer.AsSpan(0, size));
                if (_options.FsyncOnCommit)
                {
                    segment.FlushToDisk();
                }

                Volatile.Write(ref _high, offset);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Appends the messages as compressed batches of up to <see cref="BatchBytes"/> of records each, compressed before
    /// the lock is taken (offsets inside a batch count from its first record, set under the lock). Returns false, having
    /// written nothing, when compression would not pay.
    /// </summary>
    private bool AppendCompressed(IReadOnlyList<BusMessage> messages, ReadOnlySpan<int> partitionOf, Span<TopicPartitionOffset> positions, long nowMs, int size)
    {
        var records = ArrayPool<byte>.Shared.Rent(Math.Min(size, BatchBytes + RecordFormat.SizeOf(LargestMessage(messages, partitionOf))));
        // Two consecutive batches together hold more than BatchBytes, so there are at most 2 * size / BatchBytes + 1.
        var batches = ArrayPool<byte>.Shared.Rent(RecordFormat.MaxBatchSize(size) + (RecordFormat.MaxBatchSize(0) * ((2 * size / BatchBytes) + 2)));
        var starts = new List<(int Start, int Count)>();
        try
        {
            var written = 0;
            var at = 0;
            var count = 0;
            var newest = long.MinValue;
            for (var i = 0; i <= partitionOf.Length; i++)
            {
                var last = i == partitionOf.Length;
                if (!last && partitionOf[i] != Partition)
                {
                    continue;
                }

                if (count > 0 && (last || at + RecordFormat.SizeOf(messages[i]) > BatchBytes))
                {
                    var length = RecordFormat.WriteBatch(batches.AsSpan(written), records.AsSpan(0, at), count, newest, _options.Compression);
                    if (length == 0)
                    {
                        return false;
                    }

                    starts.Add((written, count));
                    written += length;
                    at = 0;
                    count = 0;
                    newest = long.MinValue;
                }

                if (last)
                {
                    break;
                }

                var timestamp = messages[i].Timestamp?.ToUnixTimeMilliseconds() ?? nowMs;
                at += RecordFormat.Write(records.AsSpan(at), messages[i], count, timestamp);
                newest = Math.Max(newest, timestamp);
                count++;
            }

            lock (_gate)
            {
                var segment = ActiveSegmentFor(written);
                var offset = _high;
                foreach (var (start, batchCount) in starts)
                {
                    RecordFormat.Seal(batches.AsSpan(start), offset);
                    offset += batchCount;
                }

                offset = _high;
                for (var i = 0; i < partitionOf.Length; i++)
                {
                    if (partitionOf[i] == Partition)
                    {
                        positions[i] = new TopicPartitionOffset(Topic, Partition, offset++);
                    }
                }

                segment.Append(batches.AsSpan(0, written));
                if (_options.FsyncOnCommit)
                {
                    segment.FlushToDisk();
                }

                Volatile.Write(ref _high, offset);
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(records);
            ArrayPool<byte>.Shared.Return(batches);
        }
    }

    private BusMessage LargestMessage(IReadOnlyList<BusMessage> messages, ReadOnlySpan<int> partitionOf)
    {
        var largest = -1;
        for (var i = 0; i < partitionOf.Length; i++)
        {
            if (partitionOf[i] == Partition && (largest < 0 || messages[i].Value.Length > messages[largest].Value.Length))
            {
                largest = i;
            }
        }

        return messages[largest];
    }

    /// <summary>The segment holding <paramref name="offset"/> (the first one when it is below the low watermark) and where to start reading.</summary>
    public (Segment Segment, long Position) Locate(long offset)
    {
        lock (_gate)
        {
            var segments = _segments;
            var index = segments.Length - 1;
            while (index > 0 && segments[index].BaseOffset > offset)
            {
                index--;
            }

            var segment = segments[index];
            return (segment, segment.PositionOf(offset));
        }
    }

    /// <summary>The first offset whose timestamp is at or after <paramref name="timestampMs"/>, else the high watermark.</summary>
    public long OffsetForTime(long timestampMs)
    {
        lock (_gate)
        {
            var reader = new SegmentReader(Segment.IndexIntervalBytes * 2, reuseBuffer: true);
            foreach (var segment in _segments)
            {
                if (segment.MaxTimestamp < timestampMs || segment.PositionOfTime(timestampMs) is not { } position)
                {
                    continue;
                }

                reader.Reset(position);
                while (reader.TryRead(segment.File, segment.Length, out var start) == ReadStatus.Record)
                {
                    if (RecordFormat.FirstOffsetAtOrAfter(reader.Buffer.AsSpan(start), timestampMs) is { } offset)
                    {
                        return offset;
                    }
                }
            }

            return _high;
        }
    }

    /// <summary>Deletes the oldest closed segments that are past the topic's age or size limit; returns how many.</summary>
    public int ApplyRetention(TopicSpec spec, long nowMs)
    {
        lock (_gate)
        {
            var segments = _segments;
            var total = segments.Sum(segment => segment.Length);
            var oldestKept = nowMs - (long?)spec.RetentionTime?.TotalMilliseconds;
            var drop = 0;
            while (drop < segments.Length - 1)
            {
                var segment = segments[drop];
                var tooOld = segment.MaxTimestamp < oldestKept;
                var tooBig = total > spec.RetentionBytesPerPartition;
                if (!tooOld && !tooBig)
                {
                    break;
                }

                total -= segment.Length;
                drop++;
            }

            if (drop == 0)
            {
                return 0;
            }

            _segments = segments[drop..];
            Volatile.Write(ref _low, _segments[0].BaseOffset);
            foreach (var segment in segments.AsSpan(0, drop))
            {
                segment.Delete();
            }

            return drop;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            IsClosed = true;
            foreach (var segment in _segments)
            {
                segment.Close();
            }
        }
    }

    private Segment ActiveSegmentFor(int size)
    {
        var active = _segments[^1];
        if (active.Length == 0 || active.Length + size <= _options.SegmentBytes)
        {
            return active;
        }

        active.WriteIndex(_options.FsyncOnCommit);
        var next = Segment.Create(_directory, _high);
        _segments = [.. _segments, next];
        return next;
    }
}
