namespace SaasMonitor.Core.Bus;

/// <summary>
/// The log bus, with Kafka's semantics: named topics of ordered partitions, offsets, consumer groups
/// that commit after processing, seeking by offset or time, and retention.
/// Implemented by the embedded journal and by Kafka.
/// </summary>
public interface IMessageBus : IAsyncDisposable
{
    /// <summary>Creates the topic if missing; an existing topic with other partition count is an error.</summary>
    Task EnsureTopicAsync(TopicSpec spec, CancellationToken ct);

    /// <summary>
    /// Appends messages and returns their positions, in order, once they are durable
    /// (journal: committed to disk; Kafka: acknowledged by all in-sync replicas).
    /// </summary>
    Task<IReadOnlyList<TopicPartitionOffset>> ProduceAsync(string topic, IReadOnlyList<BusMessage> messages, CancellationToken ct);

    /// <summary>Joins <paramref name="groupId"/> for the topics; partitions are shared among the group's live members.</summary>
    IBusConsumer Subscribe(string groupId, IReadOnlyCollection<string> topics, RebalanceHandlers? handlers = null);

    Task<IReadOnlyList<PartitionWatermark>> GetWatermarksAsync(string topic, CancellationToken ct);

    /// <summary>The group's committed offsets for the topic's partitions; partitions never committed are absent.</summary>
    Task<IReadOnlyList<TopicPartitionOffset>> GetCommittedOffsetsAsync(string groupId, string topic, CancellationToken ct);

    /// <summary>Moves a group's committed offsets. Refused with <see cref="BusException"/> while the group has live members.</summary>
    Task SetCommittedOffsetsAsync(string groupId, IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct);

    /// <summary>Per partition, the first offset whose timestamp is at or after <paramref name="time"/> (the high watermark when none).</summary>
    Task<IReadOnlyList<TopicPartitionOffset>> GetOffsetsForTimeAsync(string topic, DateTimeOffset time, CancellationToken ct);
}

/// <summary>A member of a consumer group. Not thread-safe: one loop consumes, processes, then commits.</summary>
public interface IBusConsumer : IAsyncDisposable
{
    /// <summary>The partitions this member owns now.</summary>
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    /// <summary>
    /// Returns up to <paramref name="maxMessages"/> messages as soon as any are available,
    /// or an empty list after <paramref name="maxWait"/>. Messages of one partition come in offset order.
    /// Starts from the committed offset, or the earliest held offset for a partition never committed.
    /// </summary>
    ValueTask<IReadOnlyList<ConsumedMessage>> ConsumeAsync(int maxMessages, TimeSpan maxWait, CancellationToken ct);

    /// <summary>Commits next-offsets for the group (call after the work they cover is done).</summary>
    Task CommitAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct);

    /// <summary>Moves this member's read position in an owned partition; the committed offset is unchanged.</summary>
    void Seek(TopicPartitionOffset position);

    /// <summary>
    /// Stops delivering messages of these owned partitions until <see cref="Resume"/> (or until they are revoked).
    /// A member under downstream back-pressure pauses and keeps calling <see cref="ConsumeAsync"/>, so it stays in the group.
    /// </summary>
    void Pause(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>Delivers messages of these partitions again, from the position where they were paused.</summary>
    void Resume(IReadOnlyCollection<TopicPartition> partitions);
}
