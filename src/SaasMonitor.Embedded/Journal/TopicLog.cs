using System.Buffers;
using System.Text.Json;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>A topic: its persisted spec (topic.json) and a folder per partition.</summary>
internal sealed class TopicLog : IDisposable
{
    private const string SpecFileName = "topic.json";
    private readonly string _directory;
    private readonly bool _flushToDisk;
    private int _roundRobin = -1;

    private TopicLog(string directory, TopicSpec spec, JournalOptions options)
    {
        _directory = directory;
        _flushToDisk = options.FsyncOnCommit;
        Spec = spec;
        Partitions = new PartitionLog[spec.Partitions];
        try
        {
            for (var p = 0; p < spec.Partitions; p++)
            {
                Partitions[p] = PartitionLog.Open(spec.Name, p, Path.Combine(directory, p.ToString(System.Globalization.CultureInfo.InvariantCulture)), options);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TopicSpec Spec { get; private set; }

    public PartitionLog[] Partitions { get; }

    /// <summary>Pulsed after every append to any partition of the topic.</summary>
    public Signal Appended { get; } = new();

    public static TopicLog Create(string directory, TopicSpec spec, JournalOptions options)
    {
        Directory.CreateDirectory(directory);
        var topic = new TopicLog(directory, spec, options);
        topic.SaveSpec();
        return topic;
    }

    public static TopicLog Open(string directory, JournalOptions options)
    {
        var file = JsonSerializer.Deserialize<SpecFile>(File.ReadAllBytes(Path.Combine(directory, SpecFileName)))
            ?? throw new BusException($"The topic spec in {directory} is empty.");
        return new TopicLog(directory, file.ToSpec(), options);
    }

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, SpecFileName));

    /// <summary>Takes the retention settings of <paramref name="spec"/> (same partition count) and persists them.</summary>
    public void UpdateRetention(TopicSpec spec)
    {
        if (spec.RetentionTime == Spec.RetentionTime && spec.RetentionBytesPerPartition == Spec.RetentionBytesPerPartition)
        {
            return;
        }

        Spec = Spec with { RetentionTime = spec.RetentionTime, RetentionBytesPerPartition = spec.RetentionBytesPerPartition };
        SaveSpec();
    }

    /// <summary>Appends the messages, one write per partition, and returns their positions in input order.</summary>
    public TopicPartitionOffset[] Append(IReadOnlyList<BusMessage> messages, long nowMs)
    {
        var count = messages.Count;
        var positions = new TopicPartitionOffset[count];
        var partitionOf = ArrayPool<int>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                partitionOf[i] = PartitionFor(messages[i]);
            }

            foreach (var partition in Partitions)
            {
                partition.Append(messages, partitionOf.AsSpan(0, count), positions, nowMs);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(partitionOf);
            Appended.Pulse();
        }

        return positions;
    }

    public void Dispose()
    {
        foreach (var partition in Partitions)
        {
            partition?.Dispose();
        }
    }

    private int PartitionFor(BusMessage message)
    {
        if (message.Partition is { } explicitPartition)
        {
            return explicitPartition >= 0 && explicitPartition < Partitions.Length
                ? explicitPartition
                : throw new BusException($"Partition {explicitPartition} does not exist in topic '{Spec.Name}' ({Partitions.Length} partitions).");
        }

        if (message.Key is { } key)
        {
            return (int)(Crc32C.Compute(key.Span) % (uint)Partitions.Length);
        }

        return (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)Partitions.Length);
    }

    private void SaveSpec() =>
        AtomicFile.Write(Path.Combine(_directory, SpecFileName), JsonSerializer.SerializeToUtf8Bytes(SpecFile.From(Spec)), _flushToDisk);

    private sealed record SpecFile(string Name, int Partitions, long? RetentionMs, long? RetentionBytesPerPartition)
    {
        public static SpecFile From(TopicSpec spec) =>
            new(spec.Name, spec.Partitions, (long?)spec.RetentionTime?.TotalMilliseconds, spec.RetentionBytesPerPartition);

        public TopicSpec ToSpec() => new(Name, Partitions)
        {
            RetentionTime = RetentionMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            RetentionBytesPerPartition = RetentionBytesPerPartition,
        };
    }
}
