using System.Diagnostics;
using Confluent.Kafka;
using SaasMonitor.Core.Bus;
using BusPartitionOffset = SaasMonitor.Core.Bus.TopicPartitionOffset;
using BusTopicPartition = SaasMonitor.Core.Bus.TopicPartition;
using KafkaPartitionOffset = Confluent.Kafka.TopicPartitionOffset;
using KafkaTopicPartition = Confluent.Kafka.TopicPartition;

namespace SaasMonitor.Kafka;

/// <summary>
/// A member of a Kafka consumer group. Offsets are stored only through <see cref="CommitAsync"/> and committed at once;
/// a commit the group refuses during a rebalance stays stored and is committed when the partitions are revoked.
/// </summary>
internal sealed class KafkaConsumer : IBusConsumer
{
    /// <summary>The longest one blocking poll runs, so cancellation is noticed promptly.</summary>
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly KafkaBus _bus;
    private readonly string _groupId;
    private readonly IReadOnlyCollection<string> _topics;
    private readonly RebalanceHandlers? _handlers;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private BusTopicPartition[] _assignment = [];
    private bool _topicsChecked;
    private bool _disposed;

    public KafkaConsumer(KafkaBus bus, ConsumerConfig config, IReadOnlyCollection<string> topics, RebalanceHandlers? handlers)
    {
        _bus = bus;
        _groupId = config.GroupId;
        _topics = topics;
        _handlers = handlers;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked())
            .SetPartitionsLostHandler((_, partitions) => OnLost())
            .Build();
        _consumer.Subscribe(topics);
    }

    public IReadOnlyCollection<BusTopicPartition> Assignment => _assignment;

    public async ValueTask<IReadOnlyList<ConsumedMessage>> ConsumeAsync(int maxMessages, TimeSpan maxWait, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_topicsChecked)
        {
            foreach (var topic in _topics)
            {
                await _bus.RequireTopicAsync(topic, ct).ConfigureAwait(false);
            }

            _topicsChecked = true;
        }

        var messages = new List<ConsumedMessage>();
        Drain(messages, maxMessages, TimeSpan.Zero, ct);
        if (messages.Count == 0 && maxWait > TimeSpan.Zero)
        {
            // Waiting blocks in librdkafka; do it off the caller's thread.
            await Task.Run(() => Drain(messages, maxMessages, maxWait, ct), ct).ConfigureAwait(false);
        }

        return messages;
    }

    public Task CommitAsync(IReadOnlyList<BusPartitionOffset> offsets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();

        // Partitions revoked since their messages were read belong to another member now, which reads them again.
        var stored = false;
        foreach (var offset in offsets)
        {
            if (Array.IndexOf(_assignment, offset.TopicPartition) >= 0)
            {
                _consumer.StoreOffset(new KafkaPartitionOffset(offset.Topic, new Partition(offset.Partition), new Offset(offset.Offset)));
                stored = true;
            }
        }

        if (stored)
        {
            CommitStored();
        }

        return Task.CompletedTask;
    }

    public void Seek(BusPartitionOffset position)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Array.IndexOf(_assignment, position.TopicPartition) < 0)
        {
            throw new BusException($"Cannot seek {position.Topic}[{position.Partition}]: it is not assigned to this member of group '{_groupId}'.");
        }

        try
        {
            _consumer.Seek(new KafkaPartitionOffset(position.Topic, new Partition(position.Partition), new Offset(position.Offset)));
        }
        catch (KafkaException e)
        {
            throw new BusException($"Cannot seek {position.Topic}[{position.Partition}] to {position.Offset}: {e.Error.Reason}", e);
        }
    }

    public void Pause(IReadOnlyCollection<BusTopicPartition> partitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _consumer.Pause(Owned(partitions));
    }

    public void Resume(IReadOnlyCollection<BusTopicPartition> partitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _consumer.Resume(Owned(partitions));
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try
            {
                // Leaves the group at once (so the others rebalance now, not after the session timeout).
                _consumer.Close();
            }
            catch (KafkaException)
            {
                // The cluster is gone; the session timeout removes this member.
            }

            _consumer.Dispose();
            _assignment = [];
        }

        return ValueTask.CompletedTask;
    }

    private void Drain(List<ConsumedMessage> messages, int maxMessages, TimeSpan maxWait, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (messages.Count < maxMessages)
        {
            ct.ThrowIfCancellationRequested();
            var remaining = maxWait - Stopwatch.GetElapsedTime(started);
            var timeout = messages.Count > 0 || remaining <= TimeSpan.Zero ? TimeSpan.Zero : (remaining < PollSlice ? remaining : PollSlice);
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = _consumer.Consume(timeout);
            }
            catch (ConsumeException e)
            {
                throw new BusException($"Group '{_groupId}' could not consume from {string.Join(", ", _topics.Select(t => $"'{t}'"))}: {e.Error.Reason}", e);
            }

            if (result is null)
            {
                if (timeout == TimeSpan.Zero)
                {
                    return;
                }

                continue;
            }

            messages.Add(ToConsumed(result));
        }
    }

    private ConsumedMessage ToConsumed(ConsumeResult<byte[]?, byte[]?> result)
    {
        var message = result.Message;
        MessageHeader[] headers = [];
        if (message.Headers is { Count: > 0 } kafkaHeaders)
        {
            headers = new MessageHeader[kafkaHeaders.Count];
            for (var i = 0; i < headers.Length; i++)
            {
                headers[i] = new MessageHeader(kafkaHeaders[i].Key, kafkaHeaders[i].GetValueBytes() ?? []);
            }
        }

        return new ConsumedMessage(
            result.Topic,
            result.Partition.Value,
            result.Offset.Value,
            DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp.UnixTimestampMs),
            // A bare null would convert through byte[] to an empty key, not to "no key".
            message.Key is { } key ? key : (ReadOnlyMemory<byte>?)null,
            _bus.Framing is null ? message.Value ?? [] : SchemaRegistryFraming.Unframe(message.Value ?? []),
            headers);
    }

    private IEnumerable<KafkaPartitionOffset> OnAssigned(List<KafkaTopicPartition> partitions)
    {
        _assignment = [.. partitions.Select(p => new BusTopicPartition(p.Topic, p.Partition.Value))];
        var starts = new Dictionary<BusTopicPartition, long>();
        foreach (var start in _handlers?.Assigned?.Invoke(_assignment) ?? [])
        {
            starts[start.TopicPartition] = start.Offset;
        }

        // Offset.Unset starts from the committed offset, or the earliest held one (auto.offset.reset) when none.
        return partitions.Select(p => new KafkaPartitionOffset(
            p,
            starts.TryGetValue(new BusTopicPartition(p.Topic, p.Partition.Value), out var offset) ? new Offset(offset) : Offset.Unset));
    }

    private void OnRevoked()
    {
        // Still a member of the old generation: make what was stored durable before another member takes over.
        CommitStored();
        OnLost();
    }

    private void OnLost()
    {
        var revoked = _assignment;
        _assignment = [];
        if (revoked.Length > 0)
        {
            _handlers?.Revoked?.Invoke(revoked);
        }
    }

    /// <summary>Commits the stored offsets; one the group refuses because it is rebalancing stays stored for the revocation.</summary>
    private void CommitStored()
    {
        try
        {
            _consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code is ErrorCode.Local_NoOffset or ErrorCode.RebalanceInProgress
            or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
        {
            // Nothing stored, or the group moved on: the next owner reads these messages again (work is idempotent).
        }
        catch (KafkaException e)
        {
            throw new BusException($"Group '{_groupId}' could not commit its offsets: {e.Error.Reason}", e);
        }
    }

    private List<KafkaTopicPartition> Owned(IReadOnlyCollection<BusTopicPartition> partitions) =>
        [.. partitions.Where(p => Array.IndexOf(_assignment, p) >= 0).Select(p => new KafkaTopicPartition(p.Topic, new Partition(p.Partition)))];
}
