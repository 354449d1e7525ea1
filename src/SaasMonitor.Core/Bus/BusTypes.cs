namespace SaasMonitor.Core.Bus;

public readonly record struct TopicPartition(string Topic, int Partition);

/// <summary>A position in a partition. As in Kafka, a committed offset is the next offset to read.</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}

public readonly record struct MessageHeader(string Key, ReadOnlyMemory<byte> Value);

/// <summary>A message to append. With no <see cref="Partition"/>, a key picks the partition by hash, no key round-robin.</summary>
public sealed record BusMessage(ReadOnlyMemory<byte> Value)
{
    public ReadOnlyMemory<byte>? Key { get; init; }
    public IReadOnlyList<MessageHeader> Headers { get; init; } = [];
    /// <summary>Producer time; the bus stamps the append time when null.</summary>
    public DateTimeOffset? Timestamp { get; init; }
    public int? Partition { get; init; }
}

public sealed record ConsumedMessage(
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte> Value,
    IReadOnlyList<MessageHeader> Headers)
{
    /// <summary>The offset to commit once this message's work is done.</summary>
    public TopicPartitionOffset Next => new(Topic, Partition, Offset + 1);

    public string? Header(string key)
    {
        foreach (var h in Headers)
        {
            if (h.Key == key)
            {
                return System.Text.Encoding.UTF8.GetString(h.Value.Span);
            }
        }

        return null;
    }
}

/// <summary>How a topic is created. Retention null means keep forever.</summary>
public sealed record TopicSpec(string Name, int Partitions)
{
    public TimeSpan? RetentionTime { get; init; }
    public long? RetentionBytesPerPartition { get; init; }
}

/// <summary>Low and high watermark of a partition: the first offset still held and the next offset to be written.</summary>
public readonly record struct PartitionWatermark(string Topic, int Partition, long Low, long High);

/// <summary>The bus refused an operation (unknown topic, live group members during a reset, ...).</summary>
public sealed class BusException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Called from inside <see cref="IBusConsumer.ConsumeAsync"/> when the member's partitions change.
/// <see cref="Assigned"/> may return start positions that override the committed offsets
/// (a worker that keeps its offsets with its own results resumes from those).
/// </summary>
public sealed record RebalanceHandlers
{
    public Func<IReadOnlyCollection<TopicPartition>, IReadOnlyList<TopicPartitionOffset>>? Assigned { get; init; }
    public Action<IReadOnlyCollection<TopicPartition>>? Revoked { get; init; }
}
