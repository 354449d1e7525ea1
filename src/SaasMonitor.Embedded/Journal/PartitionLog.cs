using System.Buffers;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>
/// One partition: an ordered run of segments with contiguous offsets. Appends and structural changes
/// (roll, retention) hold the partition lock; readers see only records below <see cref="High"/>.
/// </summary>
internal sealed class PartitionLog : IDisposable
{
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
                    var record = reader.Buffer.AsSpan(start);
                    if (RecordFormat.TimestampOf(record) >= timestampMs)
                    {
                        return RecordFormat.OffsetOf(record);
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
