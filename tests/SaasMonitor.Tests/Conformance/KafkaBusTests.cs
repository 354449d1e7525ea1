using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Tests.Contracts;
using SaasMonitor.Kafka;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What the Kafka adapter adds to the suite: Kafka's own failure modes, on the test broker.</summary>
public sealed class KafkaBusTests(KafkaTestBrokerFixture fixture) : IClassFixture<KafkaTestBrokerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string UniqueName(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Producing_to_a_missing_topic_names_it_and_does_not_create_it()
    {
        await using var bus = new KafkaBus(fixture.Options());
        var missing = UniqueName("missing");

        var produce = () => bus.ProduceAsync(missing, [new BusMessage(new byte[] { 1 })], Ct);

        await produce.Should().ThrowAsync<BusException>().WithMessage($"*'{missing}' does not exist*");
        var watermarks = () => bus.GetWatermarksAsync(missing, Ct);
        await watermarks.Should().ThrowAsync<BusException>("the failed produce must not have created the topic");
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_with_one_sentence_naming_its_servers()
    {
        var servers = $"127.0.0.1:{ClosedPort()}";
        await using var bus = new KafkaBus(new KafkaOptions { BootstrapServers = servers, RequestTimeout = TimeSpan.FromSeconds(1) });

        var ensure = () => bus.EnsureTopicAsync(new TopicSpec(UniqueName("topic"), 1), Ct);

        await ensure.Should().ThrowAsync<BusException>().WithMessage($"The Kafka cluster at {servers} did not answer within 1 s*");
    }

    [Fact]
    public async Task A_topic_with_fewer_replicas_than_configured_is_refused()
    {
        var topic = UniqueName("topic");
        fixture.Broker.CreateTopic(topic, 2, replicationFactor: 1);
        await using var bus = new KafkaBus(fixture.Options(replicationFactor: 3));

        var ensure = () => bus.EnsureTopicAsync(new TopicSpec(topic, 2), Ct);

        await ensure.Should().ThrowAsync<BusException>().WithMessage($"*'{topic}'*1 replicas*replication factor 3*");
    }

    [Fact]
    public async Task Binary_keys_values_and_headers_cross_the_wire_byte_for_byte()
    {
        var topic = UniqueName("topic");
        fixture.Broker.CreateTopic(topic, 1);
        await using var bus = new KafkaBus(fixture.Options());
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var message = new BusMessage(bytes.AsMemory(10, 200))
        {
            Key = bytes.AsMemory(250, 6),
            Headers = [new("raw", bytes.AsMemory(0, 3)), new("raw", bytes.AsMemory(3, 1))],
        };

        await bus.ProduceAsync(topic, [message], Ct);
        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);
        var received = await ConsumeOneAsync(consumer);

        received.Value.ToArray().Should().Equal(bytes[10..210]);
        received.Key!.Value.ToArray().Should().Equal(bytes[250..256]);
        received.Headers.Select(h => h.Key).Should().Equal("raw", "raw");
        received.Headers.Select(h => h.Value.ToArray()).Should().BeEquivalentTo([bytes[0..3], bytes[3..4]], o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task A_paused_member_that_keeps_polling_keeps_its_partitions_past_the_poll_interval()
    {
        var topic = UniqueName("topic");
        fixture.Broker.CreateTopic(topic, 1);
        await using var bus = new KafkaBus(fixture.Options());
        var revocations = 0;
        await using var member = bus.Subscribe(UniqueName("group"), [topic], new RebalanceHandlers { Revoked = _ => revocations++ });
        await bus.ProduceAsync(topic, [new BusMessage(new byte[] { 1 })], Ct);
        await ConsumeOneAsync(member);

        member.Pause(member.Assignment);
        await bus.ProduceAsync(topic, [new BusMessage(new byte[] { 2 })], Ct);
        var paused = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(paused) < KafkaTestBrokerFixture.MaxPollInterval * 1.5)
        {
            (await member.ConsumeAsync(10, TimeSpan.FromMilliseconds(250), Ct)).Should().BeEmpty("the partition is paused");
        }

        revocations.Should().Be(0);
        member.Assignment.Should().Equal(new TopicPartition(topic, 0));
        member.Resume(member.Assignment);
        (await ConsumeOneAsync(member)).Value.ToArray().Should().Equal(2);
    }

    [Fact]
    public async Task A_raw_record_of_the_largest_chunk_size_crosses_the_wire()
    {
        var topic = UniqueName("raw");
        fixture.Broker.CreateTopic(topic, 1);
        await using var bus = new KafkaBus(fixture.Options());
        // The gateway cuts raw records at SaasMonitor:Ingest:ChunkBytes, 1 MiB by default, above Kafka's 1 MB default limit.
        var chunk = new byte[(1024 * 1024) + 4096];
        Random.Shared.NextBytes(chunk);

        await bus.ProduceAsync(topic, [new BusMessage(chunk), new BusMessage(chunk)], Ct);
        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);

        (await ConsumeOneAsync(consumer)).Value.ToArray().Should().Equal(chunk);
        (await ConsumeOneAsync(consumer)).Value.Length.Should().Be(chunk.Length);
    }

    [Fact]
    public async Task With_a_schema_registry_events_travel_in_the_registry_wire_format_and_are_consumed_as_plain_json()
    {
        var topic = UniqueName("events");
        fixture.Broker.CreateTopic(topic, 1);
        await using var registry = await FakeSchemaRegistry.StartAsync(Ct);
        var options = fixture.Options();
        options.SchemaRegistryUrl = registry.Url;
        await using var framed = new KafkaBus(options);
        await using var plain = new KafkaBus(fixture.Options());
        var json = """{"id":"0-1-0","message":"framed"}"""u8.ToArray();

        await framed.ProduceAsync(topic, [new BusMessage(json) { Headers = [MessageSchemas.Events.Header] }], Ct);

        await using var wire = plain.Subscribe(UniqueName("group"), [topic]);
        var onTheWire = (await ConsumeOneAsync(wire)).Value.ToArray();
        onTheWire[0].Should().Be(0, "the registry's magic byte leads");
        BinaryPrimitives.ReadInt32BigEndian(onTheWire.AsSpan(1, 4)).Should().BeGreaterThan(0);
        onTheWire[5..].Should().Equal(json);
        registry.Subjects.Should().Contain(topic + "-value");
        await using var reader = framed.Subscribe(UniqueName("group"), [topic]);
        (await ConsumeOneAsync(reader)).Value.ToArray().Should().Equal(json);
    }

    internal static async Task<ConsumedMessage> ConsumeOneAsync(IBusConsumer consumer)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(TimeSpan.FromSeconds(30), "a message was expected");
            if (await consumer.ConsumeAsync(1, TimeSpan.FromMilliseconds(500), Ct) is [var message])
            {
                return message;
            }
        }
    }

    /// <summary>A loopback port nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
