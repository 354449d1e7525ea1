using System.Diagnostics;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>An in-process member of a consumer group over the journal.</summary>
internal sealed class JournalConsumer : IBusConsumer
{
    private readonly JournalBus _bus;
    private readonly ConsumerGroup _group;
    private readonly RebalanceHandlers? _handlers;
    private readonly HashSet<TopicPartition> _paused = [];
    private TopicPartition[] _assignment = [];
    private PartitionCursor[] _cursors = [];
    private int _generation;
    private int _nextCursor;
    private bool _disposed;

    public JournalConsumer(JournalBus bus, ConsumerGroup group, IReadOnlyList<TopicLog> topics, RebalanceHandlers? handlers)
    {
        _bus = bus;
        _group = group;
        _handlers = handlers;
        Topics = topics;
        group.Join(this);
    }

    public IReadOnlyList<TopicLog> Topics { get; }

    public IReadOnlyCollection<TopicPartition> Assignment => _assignment;

    public async ValueTask<IReadOnlyList<ConsumedMessage>> ConsumeAsync(int maxMessages, TimeSpan maxWait, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var messages = Read(maxMessages);
            if (messages.Count > 0)
            {
                return messages;
            }

            // Take the wake-ups before looking again, so an append in between is not missed.
            var wakeUps = new Task[Topics.Count + 2];
            for (var i = 0; i < Topics.Count; i++)
            {
                wakeUps[i] = Topics[i].Appended.NextPulse;
            }

            wakeUps[^2] = _group.Rebalanced.NextPulse;
            messages = Read(maxMessages);
            var remaining = maxWait - Stopwatch.GetElapsedTime(started);
            if (messages.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return messages;
            }

            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wakeUps[^1] = Task.Delay(remaining, stopWaiting.Token);
            await Task.WhenAny(wakeUps).ConfigureAwait(false);
            await stopWaiting.CancelAsync().ConfigureAwait(false);
        }
    }

    public Task CommitAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ThrowIfUnusable();
        _group.Commit(this, offsets);
        return Task.CompletedTask;
    }

    public void Seek(TopicPartitionOffset position)
    {
        ThrowIfUnusable();
        var cursor = Array.Find(_cursors, c => c.TopicPartition == position.TopicPartition)
            ?? throw new BusException($"Cannot seek {position.Topic}[{position.Partition}]: it is not assigned to this member of group '{_group.Id}'.");
        cursor.Seek(position.Offset);
    }

    public void Pause(IReadOnlyCollection<TopicPartition> partitions)
    {
        ThrowIfUnusable();
        _paused.UnionWith(partitions.Where(p => Array.IndexOf(_assignment, p) >= 0));
    }

    public void Resume(IReadOnlyCollection<TopicPartition> partitions)
    {
        ThrowIfUnusable();
        _paused.ExceptWith(partitions);
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _group.Leave(this);
            _assignment = [];
            _cursors = [];
        }

        return ValueTask.CompletedTask;
    }

    private List<ConsumedMessage> Read(int maxMessages)
    {
        ThrowIfUnusable();
        FollowRebalance();
        var messages = new List<ConsumedMessage>();
        var cursors = _cursors;
        for (var i = 0; i < cursors.Length && messages.Count < maxMessages; i++)
        {
            var cursor = cursors[(_nextCursor + i) % cursors.Length];
            if (!_paused.Contains(cursor.TopicPartition))
            {
                cursor.ReadInto(messages, maxMessages);
            }
        }

        // Start with the next partition on the next call, so a busy partition cannot starve the others.
        _nextCursor = cursors.Length == 0 ? 0 : (_nextCursor + 1) % cursors.Length;
        return messages;
    }

    /// <summary>Takes a new assignment: revokes the old partitions, then assigns the new ones at their start positions.</summary>
    private void FollowRebalance()
    {
        var (generation, assignment) = _group.AssignmentOf(this);
        if (generation == _generation)
        {
            return;
        }

        if (_assignment.Length > 0)
        {
            _handlers?.Revoked?.Invoke(_assignment);
        }

        _generation = generation;
        _assignment = assignment;
        _paused.Clear();
        var starts = new Dictionary<TopicPartition, long>();
        foreach (var start in _handlers?.Assigned?.Invoke(assignment) ?? [])
        {
            starts[start.TopicPartition] = start.Offset;
        }

        _cursors = [.. assignment.Select(partition =>
        {
            var log = _bus.Topic(partition.Topic).Partitions[partition.Partition];
            var start = starts.TryGetValue(partition, out var chosen) ? chosen : _group.CommittedOffset(partition) ?? log.Low;
            return new PartitionCursor(log, start);
        })];
        _nextCursor = 0;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _bus.ThrowIfDisposed();
    }
}
