using System.Collections.Concurrent;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>
/// The embedded durable bus: topics of partitioned, append-only segment files in one directory owned by this
/// process, with in-process consumer groups whose offsets are kept beside the data. Kafka's semantics on one machine.
/// </summary>
public sealed class JournalBus : IMessageBus
{
    private const string LockFileName = "journal.lock";
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;
    private readonly string _topicsDirectory;
    private readonly string _groupsDirectory;
    private readonly FileStream _lock;
    private readonly ConcurrentDictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _topicsGate = new();
    private readonly ITimer _retentionTimer;
    private int _disposed;

    public JournalBus(JournalOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SegmentBytes);
        _options = options;
        _time = time ?? TimeProvider.System;
        var root = Path.GetFullPath(options.Directory);
        _topicsDirectory = Path.Combine(root, "topics");
        _groupsDirectory = Path.Combine(root, "groups");
        Directory.CreateDirectory(_topicsDirectory);
        Directory.CreateDirectory(_groupsDirectory);
        try
        {
            _lock = new FileStream(Path.Combine(root, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new BusException($"The journal at {root} is in use by another process.", e);
        }

        try
        {
            foreach (var directory in Directory.GetDirectories(_topicsDirectory).Where(TopicLog.Exists))
            {
                var topic = TopicLog.Open(directory, options);
                _topics[topic.Spec.Name] = topic;
            }
        }
        catch
        {
            CloseTopics();
            _lock.Dispose();
            throw;
        }

        _retentionTimer = _time.CreateTimer(_ => ApplyRetentionOnSchedule(), null, options.RetentionCheckInterval, options.RetentionCheckInterval);
    }

    public Task EnsureTopicAsync(TopicSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        ValidateTopicName(spec.Name);
        if (spec.Partitions < 1)
        {
            throw new BusException($"Topic '{spec.Name}' needs at least one partition, not {spec.Partitions}.");
        }

        lock (_topicsGate)
        {
            if (_topics.TryGetValue(spec.Name, out var existing))
            {
                if (existing.Spec.Partitions != spec.Partitions)
                {
                    throw new BusException($"Topic '{spec.Name}' already exists with {existing.Spec.Partitions} partitions, not {spec.Partitions}.");
                }

                existing.UpdateRetention(spec);
            }
            else
            {
                _topics[spec.Name] = TopicLog.Create(Path.Combine(_topicsDirectory, spec.Name), spec, _options);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TopicPartitionOffset>> ProduceAsync(string topic, IReadOnlyList<BusMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var log = Topic(topic);
        if (messages.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<TopicPartitionOffset>>([]);
        }

        return Task.FromResult<IReadOnlyList<TopicPartitionOffset>>(log.Append(messages, _time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public IBusConsumer Subscribe(string groupId, IReadOnlyCollection<string> topics, RebalanceHandlers? handlers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(topics);
        ThrowIfDisposed();
        var logs = topics.Distinct(StringComparer.Ordinal).Select(Topic).ToArray();
        return new JournalConsumer(this, Group(groupId), logs, handlers);
    }

    public Task<IReadOnlyList<PartitionWatermark>> GetWatermarksAsync(string topic, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return Task.FromResult<IReadOnlyList<PartitionWatermark>>(
            [.. Topic(topic).Partitions.Select(p => new PartitionWatermark(topic, p.Partition, p.Low, p.High))]);
    }

    public Task<IReadOnlyList<TopicPartitionOffset>> GetCommittedOffsetsAsync(string groupId, string topic, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        Topic(topic);
        return Task.FromResult(Group(groupId).CommittedOffsets(topic));
    }

    public Task SetCommittedOffsetsAsync(string groupId, IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        foreach (var offset in offsets)
        {
            var partitions = Topic(offset.Topic).Partitions.Length;
            if (offset.Partition < 0 || offset.Partition >= partitions || offset.Offset < 0)
            {
                throw new BusException($"Cannot commit offset {offset.Offset} for {offset.Topic}[{offset.Partition}]: the topic has {partitions} partitions and offsets are not negative.");
            }
        }

        Group(groupId).SetCommitted(offsets);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TopicPartitionOffset>> GetOffsetsForTimeAsync(string topic, DateTimeOffset time, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var timestampMs = time.ToUnixTimeMilliseconds();
        return Task.FromResult<IReadOnlyList<TopicPartitionOffset>>(
            [.. Topic(topic).Partitions.Select(p => new TopicPartitionOffset(topic, p.Partition, p.OffsetForTime(timestampMs)))]);
    }

    /// <summary>Deletes closed segments past their topic's retention now; also runs every <see cref="JournalOptions.RetentionCheckInterval"/>.</summary>
    public Task ApplyRetentionAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var topic in _topics.Values)
        {
            if (topic.Spec.RetentionTime is null && topic.Spec.RetentionBytesPerPartition is null)
            {
                continue;
            }

            foreach (var partition in topic.Partitions)
            {
                ct.ThrowIfCancellationRequested();
                partition.ApplyRetention(topic.Spec, nowMs);
            }
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _retentionTimer.DisposeAsync().ConfigureAwait(false);
        lock (_topicsGate)
        {
            CloseTopics();
        }

        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    internal TopicLog Topic(string name) =>
        _topics.TryGetValue(name, out var topic)
            ? topic
            : throw new BusException($"Topic '{name}' does not exist in the journal; create it with EnsureTopicAsync first.");

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private ConsumerGroup Group(string groupId) =>
        _groups.GetOrAdd(groupId, id => new ConsumerGroup(_groupsDirectory, id, _options.FsyncOnCommit));

    private void ApplyRetentionOnSchedule()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            ApplyRetentionAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // A segment that cannot be deleted now is deleted at the next check; the data stays readable meanwhile.
        }
    }

    private void CloseTopics()
    {
        foreach (var topic in _topics.Values)
        {
            topic.Dispose();
        }
    }

    /// <summary>Topic names follow Kafka's rules, so every name works with both buses and as a folder name.</summary>
    private static void ValidateTopicName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 249 || name is "." or ".."
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new BusException($"'{name}' is not a valid topic name: use 1-249 ASCII letters, digits, '.', '_' or '-'.");
        }
    }
}
