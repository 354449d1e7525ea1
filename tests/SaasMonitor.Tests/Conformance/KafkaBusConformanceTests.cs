using SaasMonitor.Core.Bus;
using SaasMonitor.Kafka;
using SaasMonitor.Testing;

namespace SaasMonitor.Tests.Conformance;

/// <summary>One test broker shared by every test of a class; each test uses its own topics and groups.</summary>
public sealed class KafkaTestBrokerFixture : IDisposable
{
    /// <summary>Short, so a member that vanished unannounced is replaced within seconds.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Short, so a member that stops polling is dropped from the group within seconds.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(3);

    public KafkaTestBroker Broker { get; } = new(brokers: 3, initialRebalanceDelay: TimeSpan.FromMilliseconds(300));

    /// <summary>Adapter options for tests: short group timings, so joins and rebalances take well under a second.</summary>
    public KafkaOptions Options(short replicationFactor = 1) => new()
    {
        BootstrapServers = Broker.BootstrapServers,
        ReplicationFactor = replicationFactor,
        Client = new()
        {
            ["session.timeout.ms"] = $"{SessionTimeout.TotalMilliseconds}",
            ["max.poll.interval.ms"] = $"{MaxPollInterval.TotalMilliseconds}",
            ["heartbeat.interval.ms"] = "100",
            ["topic.metadata.refresh.interval.ms"] = "1000",
        },
    };

    public void Dispose() => Broker.Dispose();
}

/// <summary>The bus conformance suite against the Kafka adapter on librdkafka's mock cluster.</summary>
public sealed class KafkaBusConformanceTests(KafkaTestBrokerFixture fixture) : BusConformanceTests, IClassFixture<KafkaTestBrokerFixture>
{
    protected override Task<IMessageBus> CreateBusAsync() =>
        Task.FromResult<IMessageBus>(new MockCreatesTopics(new KafkaBus(fixture.Options()), fixture.Broker));

    protected override string? Unsupported(string feature) => feature switch
    {
        OffsetsByTime => "the librdkafka mock cluster answers ListOffsets by timestamp with the end offset",
        GroupAdministration => "the librdkafka mock cluster lacks DescribeGroups and refuses admin OffsetCommit (AlterConsumerGroupOffsets)",
        _ => null,
    };

    /// <summary>
    /// The mock cluster does not implement the admin CreateTopics request, so topics are created on it directly first;
    /// the adapter's own EnsureTopicAsync then finds them and checks their partitions and replicas as it would on Kafka.
    /// </summary>
    private sealed class MockCreatesTopics(KafkaBus bus, KafkaTestBroker broker) : IMessageBus
    {
        public Task EnsureTopicAsync(TopicSpec spec, CancellationToken ct)
        {
            broker.CreateTopic(spec.Name, spec.Partitions);
            return bus.EnsureTopicAsync(spec, ct);
        }

        public Task<IReadOnlyList<TopicPartitionOffset>> ProduceAsync(string topic, IReadOnlyList<BusMessage> messages, CancellationToken ct) =>
            bus.ProduceAsync(topic, messages, ct);

        public IBusConsumer Subscribe(string groupId, IReadOnlyCollection<string> topics, RebalanceHandlers? handlers = null) =>
            bus.Subscribe(groupId, topics, handlers);

        public Task<IReadOnlyList<PartitionWatermark>> GetWatermarksAsync(string topic, CancellationToken ct) => bus.GetWatermarksAsync(topic, ct);

        public Task<IReadOnlyList<TopicPartitionOffset>> GetCommittedOffsetsAsync(string groupId, string topic, CancellationToken ct) =>
            bus.GetCommittedOffsetsAsync(groupId, topic, ct);

        public Task SetCommittedOffsetsAsync(string groupId, IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct) =>
            bus.SetCommittedOffsetsAsync(groupId, offsets, ct);

        public Task<IReadOnlyList<TopicPartitionOffset>> GetOffsetsForTimeAsync(string topic, DateTimeOffset time, CancellationToken ct) =>
            bus.GetOffsetsForTimeAsync(topic, time, ct);

        public ValueTask DisposeAsync() => bus.DisposeAsync();
    }
}
