using System.Runtime.InteropServices;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using SaasMonitor.Core.Bus;
using BusPartitionOffset = SaasMonitor.Core.Bus.TopicPartitionOffset;
using KafkaPartitionOffset = Confluent.Kafka.TopicPartitionOffset;
using KafkaTopicPartition = Confluent.Kafka.TopicPartition;

namespace SaasMonitor.Kafka;

/// <summary>
/// The bus on an Apache Kafka cluster: idempotent producer acknowledged by all in-sync replicas, consumer groups that
/// commit only what the caller says is done, topics created with their retention, and nothing ever auto-created.
/// </summary>
public sealed class KafkaBus : IMessageBus
{
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Largest message the bus sends and its topics accept: a raw record is up to SaasMonitor:Ingest:ChunkBytes (1 MiB)
    /// plus headers, above Kafka's 1 MB default, so topics are created with this limit and the producer matches it.
    /// </summary>
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly KafkaOptions _options;
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly IAdminClient _admin;
    private readonly SchemaRegistryFraming? _framing;
    private Dictionary<string, TopicLayout> _topics = [];
    private bool _disposed;

    public KafkaBus(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new ArgumentException("KafkaOptions.BootstrapServers must name at least one broker (host:port).", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero);

        RdKafkaLibrary.EnsureLoaded();
        _options = options;
        _producer = new ProducerBuilder<byte[]?, byte[]>(ProducerConfig()).Build();
        _admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        _framing = SchemaRegistryFraming.Create(options);
    }

    /// <summary>Schema Registry framing of JSON values, when a registry is configured.</summary>
    internal SchemaRegistryFraming? Framing => _framing;

    public async Task EnsureTopicAsync(TopicSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var layout = await RefreshTopicAsync(spec.Name, ct).ConfigureAwait(false);
        if (layout is null)
        {
            await CreateTopicAsync(spec, ct).ConfigureAwait(false);
            layout = await RefreshTopicAsync(spec.Name, ct).ConfigureAwait(false)
                ?? throw new BusException($"Topic '{spec.Name}' was created but the Kafka cluster at {_options.BootstrapServers} does not list it.");
        }

        if (layout.Partitions != spec.Partitions)
        {
            throw new BusException($"Topic '{spec.Name}' has {layout.Partitions} partitions, but {spec.Partitions} are configured.");
        }

        if (layout.MinReplicas < _options.ReplicationFactor)
        {
            throw new BusException($"Topic '{spec.Name}' has partitions with {layout.MinReplicas} replicas, fewer than the configured replication factor {_options.ReplicationFactor}.");
        }
    }

    public async Task<IReadOnlyList<BusPartitionOffset>> ProduceAsync(string topic, IReadOnlyList<BusMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await RequireTopicAsync(topic, ct).ConfigureAwait(false);
        if (messages.Count == 0)
        {
            return [];
        }

        var delivery = new DeliveryBatch(topic, messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var kafkaMessage = new Message<byte[]?, byte[]>
            {
                Key = message.Key is { } key ? ArrayOf(key) : null,
                Value = ArrayOf(_framing is null ? message.Value : await _framing.FrameAsync(topic, message.Headers, message.Value, ct).ConfigureAwait(false)),
                Headers = HeadersOf(message.Headers),
                Timestamp = message.Timestamp is { } time ? new Timestamp(time) : Timestamp.Default,
            };
            var handler = delivery.HandlerFor(i);
            while (true)
            {
                try
                {
                    if (message.Partition is { } partition)
                    {
                        _producer.Produce(new KafkaTopicPartition(topic, new Partition(partition)), kafkaMessage, handler);
                    }
                    else
                    {
                        _producer.Produce(topic, kafkaMessage, handler);
                    }

                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The client's queue is full: wait for deliveries to drain it.
                    await Task.Delay(QueueFullBackoff, ct).ConfigureAwait(false);
                }
                catch (KafkaException e)
                {
                    throw new BusException($"Kafka refused a message for topic '{topic}': {e.Error.Reason}", e);
                }
            }
        }

        return await delivery.Completion.WaitAsync(ct).ConfigureAwait(false);
    }

    public IBusConsumer Subscribe(string groupId, IReadOnlyCollection<string> topics, RebalanceHandlers? handlers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(topics);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new KafkaConsumer(this, ConsumerConfig(groupId), topics, handlers);
    }

    public async Task<IReadOnlyList<PartitionWatermark>> GetWatermarksAsync(string topic, CancellationToken ct)
    {
        var partitions = await PartitionsOfAsync(topic, ct).ConfigureAwait(false);
        var low = ListOffsetsAsync(partitions, _ => OffsetSpec.Earliest(), ct);
        var high = ListOffsetsAsync(partitions, _ => OffsetSpec.Latest(), ct);
        var (lows, highs) = (await low.ConfigureAwait(false), await high.ConfigureAwait(false));
        return [.. partitions.Select(p => new PartitionWatermark(topic, p.Partition.Value, lows[p.Partition.Value], highs[p.Partition.Value]))];
    }

    public async Task<IReadOnlyList<BusPartitionOffset>> GetCommittedOffsetsAsync(string groupId, string topic, CancellationToken ct)
    {
        var partitions = await PartitionsOfAsync(topic, ct).ConfigureAwait(false);
        try
        {
            var results = await _admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(groupId, [.. partitions])],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = _options.RequestTimeout }).WaitAsync(ct).ConfigureAwait(false);
            return [.. results.SelectMany(r => r.Partitions)
                .Where(p => p.Offset.Value >= 0)
                .OrderBy(p => p.Partition.Value)
                .Select(p => new BusPartitionOffset(p.Topic, p.Partition.Value, p.Offset.Value))];
        }
        catch (KafkaException e)
        {
            throw new BusException($"Could not read the committed offsets of group '{groupId}' on topic '{topic}': {e.Error.Reason}", e);
        }
    }

    public async Task SetCommittedOffsetsAsync(string groupId, IReadOnlyList<BusPartitionOffset> offsets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var topic in offsets.Select(o => o.Topic).Distinct())
        {
            await RequireTopicAsync(topic, ct).ConfigureAwait(false);
        }

        try
        {
            var groups = await _admin.DescribeConsumerGroupsAsync([groupId], new DescribeConsumerGroupsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(ct).ConfigureAwait(false);
            if (groups.ConsumerGroupDescriptions.Any(g => g.Members.Count > 0))
            {
                throw new BusException($"Cannot move the offsets of group '{groupId}': the group has live members; stop them first.");
            }

            await _admin.AlterConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitionOffsets(groupId, [.. offsets.Select(o => new KafkaPartitionOffset(o.Topic, o.Partition, o.Offset))])],
                new AlterConsumerGroupOffsetsOptions { RequestTimeout = _options.RequestTimeout }).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw new BusException($"Could not move the offsets of group '{groupId}': {e.Error.Reason}", e);
        }
    }

    public async Task<IReadOnlyList<BusPartitionOffset>> GetOffsetsForTimeAsync(string topic, DateTimeOffset time, CancellationToken ct)
    {
        var partitions = await PartitionsOfAsync(topic, ct).ConfigureAwait(false);
        var atTime = ListOffsetsAsync(partitions, _ => OffsetSpec.ForTimestamp(time.ToUnixTimeMilliseconds()), ct);
        var high = ListOffsetsAsync(partitions, _ => OffsetSpec.Latest(), ct);
        var (found, highs) = (await atTime.ConfigureAwait(false), await high.ConfigureAwait(false));

        // Kafka answers -1 when no message is that new: the position to read from is then the high watermark.
        return [.. partitions.Select(p => new BusPartitionOffset(topic, p.Partition.Value, found[p.Partition.Value] is >= 0 and var offset ? offset : highs[p.Partition.Value]))];
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _producer.Flush(_options.RequestTimeout);
            _admin.Dispose();
            _producer.Dispose();
            _framing?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Fails with <see cref="BusException"/> naming the topic when the cluster does not hold it.</summary>
    internal async Task RequireTopicAsync(string topic, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (!_topics.ContainsKey(topic) && await RefreshTopicAsync(topic, ct).ConfigureAwait(false) is null)
        {
            throw new BusException($"Topic '{topic}' does not exist on the Kafka cluster at {_options.BootstrapServers}; create it first.");
        }
    }

    private async Task<KafkaTopicPartition[]> PartitionsOfAsync(string topic, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await RequireTopicAsync(topic, ct).ConfigureAwait(false);
        var count = _topics[topic].Partitions;
        return [.. Enumerable.Range(0, count).Select(p => new KafkaTopicPartition(topic, new Partition(p)))];
    }

    /// <summary>One ListOffsets request for the partitions; the answer is indexed by partition number.</summary>
    private async Task<long[]> ListOffsetsAsync(KafkaTopicPartition[] partitions, Func<KafkaTopicPartition, OffsetSpec> spec, CancellationToken ct)
    {
        try
        {
            var result = await _admin.ListOffsetsAsync(
                partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec(p) }),
                new ListOffsetsOptions { RequestTimeout = _options.RequestTimeout }).WaitAsync(ct).ConfigureAwait(false);
            var offsets = new long[partitions.Length];
            foreach (var info in result.ResultInfos)
            {
                offsets[info.TopicPartitionOffsetError.Partition.Value] = info.TopicPartitionOffsetError.Offset.Value;
            }

            return offsets;
        }
        catch (KafkaException e)
        {
            throw new BusException($"Could not list the offsets of topic '{partitions[0].Topic}': {e.Error.Reason}", e);
        }
    }

    /// <summary>Reloads the topics the cluster holds and returns the layout of <paramref name="topic"/>, null when missing.</summary>
    private async Task<TopicLayout?> RefreshTopicAsync(string topic, CancellationToken ct)
    {
        // An all-topics metadata request never creates a topic, unlike a request naming one.
        Metadata metadata;
        try
        {
            metadata = await Task.Run(() => _admin.GetMetadata(_options.RequestTimeout), ct).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw new BusException($"The Kafka cluster at {_options.BootstrapServers} did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s ({e.Error.Reason}).", e);
        }

        var topics = new Dictionary<string, TopicLayout>(metadata.Topics.Count);
        foreach (var t in metadata.Topics.Where(t => !t.Error.IsError && t.Partitions.Count > 0))
        {
            topics[t.Topic] = new TopicLayout(t.Partitions.Count, t.Partitions.Min(p => p.Replicas.Length));
        }

        _topics = topics;
        return topics.GetValueOrDefault(topic);
    }

    private async Task CreateTopicAsync(TopicSpec spec, CancellationToken ct)
    {
        var specification = new TopicSpecification
        {
            Name = spec.Name,
            NumPartitions = spec.Partitions,
            ReplicationFactor = _options.ReplicationFactor,
            Configs = new Dictionary<string, string>
            {
                // TopicSpec says no retention means keep forever; Kafka's own default would be 7 days.
                ["retention.ms"] = spec.RetentionTime is { } time ? ((long)time.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-1",
                ["retention.bytes"] = (spec.RetentionBytesPerPartition ?? -1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["max.message.bytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        try
        {
            await _admin.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = _options.RequestTimeout, OperationTimeout = _options.RequestTimeout })
                .WaitAsync(ct).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another process created it in the meantime; the caller checks its layout.
        }
        catch (KafkaException e)
        {
            throw new BusException($"Could not create topic '{spec.Name}' on the Kafka cluster at {_options.BootstrapServers}: {e.Error.Reason}", e);
        }
    }

    private ProducerConfig ProducerConfig() => new(WithClientProperties(new ProducerConfig
    {
        BootstrapServers = _options.BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        MessageMaxBytes = MaxMessageBytes,
        BatchSize = 1_000_000,
        CompressionType = CompressionType.Lz4,
        AllowAutoCreateTopics = false,
        SocketConnectionSetupTimeoutMs = Math.Max(1000, (int)_options.RequestTimeout.TotalMilliseconds),
    }));

    private ConsumerConfig ConsumerConfig(string groupId) => new(WithClientProperties(new ConsumerConfig
    {
        BootstrapServers = _options.BootstrapServers,
        GroupId = groupId,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        MaxPartitionFetchBytes = MaxMessageBytes,
        AllowAutoCreateTopics = false,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
        EnablePartitionEof = false,
        SocketConnectionSetupTimeoutMs = Math.Max(1000, (int)_options.RequestTimeout.TotalMilliseconds),
    }));

    /// <summary>The configured client properties override the defaults above.</summary>
    private Dictionary<string, string> WithClientProperties(ClientConfig config)
    {
        var properties = config.ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, value) in _options.Client)
        {
            properties[key] = value;
        }

        return properties;
    }

    /// <summary>A byte array with the memory's content, without a copy when the memory is a whole array.</summary>
    private static byte[] ArrayOf(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    private static Headers? HeadersOf(IReadOnlyList<MessageHeader> headers)
    {
        if (headers.Count == 0)
        {
            return null;
        }

        var kafkaHeaders = new Headers();
        foreach (var header in headers)
        {
            kafkaHeaders.Add(header.Key, ArrayOf(header.Value));
        }

        return kafkaHeaders;
    }

    private sealed record TopicLayout(int Partitions, int MinReplicas);
}
