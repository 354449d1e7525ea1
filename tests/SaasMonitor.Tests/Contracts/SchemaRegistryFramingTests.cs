using System.Buffers.Binary;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using NewtonsoftSettings = Newtonsoft.Json.JsonSerializerSettings;
using Newtonsoft.Json.Serialization;
using NJsonSchema.NewtonsoftJson.Generation;
using SaasMonitor.Core;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Kafka;
using SaasMonitor.Tests.Parsing;

namespace SaasMonitor.Tests.Contracts;

/// <summary>Values framed for a Schema Registry are what Confluent's JSON serdes read and write.</summary>
public sealed class SchemaRegistryFramingTests : IAsyncLifetime
{
    private static readonly MessageHeader[] EventHeaders = [MessageSchemas.Events.Header];

    // Confluent's JSON serdes use Newtonsoft.Json; snake_case names match the events contract.
    private static readonly NewtonsoftJsonSchemaGeneratorSettings SnakeCase = new()
    {
        SerializerSettings = new NewtonsoftSettings { ContractResolver = new DefaultContractResolver { NamingStrategy = new SnakeCaseNamingStrategy() } },
    };

    private FakeSchemaRegistry _registry = null!;
    private SchemaRegistryFraming _framing = null!;
    private CachedSchemaRegistryClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _registry = await FakeSchemaRegistry.StartAsync(Ct);
        _framing = SchemaRegistryFraming.Create(new KafkaOptions { SchemaRegistryUrl = _registry.Url })!;
        _client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.Url });
    }

    public async ValueTask DisposeAsync()
    {
        _framing.Dispose();
        _client.Dispose();
        await _registry.DisposeAsync();
    }

    [Fact]
    public void No_framing_is_made_when_no_registry_is_configured()
    {
        SchemaRegistryFraming.Create(new KafkaOptions()).Should().BeNull();
    }

    [Fact]
    public async Task A_framed_event_is_read_back_by_Confluent_JsonDeserializer_into_the_same_fields()
    {
        var original = LogEventSchemaTests.Event();

        var framed = await _framing.FrameAsync(Topics.Events, EventHeaders, JsonSerializer.SerializeToUtf8Bytes(original, LogEventJson.Default.LogEvent), Ct);

        framed.Span[0].Should().Be(0, "Confluent's wire format starts with magic byte 0");
        _registry.Subjects.Should().Equal("logs.events-value");
        var read = await EventDeserializer().DeserializeAsync(framed, isNull: false, new SerializationContext(MessageComponentType.Value, Topics.Events));
        read.Should().BeEquivalentTo(original);
        var registered = await _client.GetSchemaAsync(BinaryPrimitives.ReadInt32BigEndian(framed.Span[1..5]));
        registered.SchemaString.Should().Be(MessageSchemas.Events.ReadText(), "the frame carries the id of the events contract");
        _registry.Unhandled.Should().BeEmpty();
    }

    [Fact]
    public async Task A_framed_value_that_breaks_the_contract_is_refused_by_Confluent_JsonDeserializer()
    {
        var json = JsonSerializer.SerializeToNode(LogEventSchemaTests.Event(), LogEventJson.Default.LogEvent)!;
        json["level"] = "WARN";

        var framed = await _framing.FrameAsync(Topics.Events, EventHeaders, JsonSerializer.SerializeToUtf8Bytes(json), Ct);

        var read = () => EventDeserializer().DeserializeAsync(framed, isNull: false, new SerializationContext(MessageComponentType.Value, Topics.Events));
        await read.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task The_schema_is_registered_once_per_topic_and_its_id_is_in_every_frame()
    {
        var value = JsonSerializer.SerializeToUtf8Bytes(LogEventSchemaTests.Event(), LogEventJson.Default.LogEvent);

        var first = await _framing.FrameAsync(Topics.Events, EventHeaders, value, Ct);
        var second = await _framing.FrameAsync(Topics.Events, EventHeaders, value, Ct);
        var otherTopic = await _framing.FrameAsync("tenant-a.logs.events", EventHeaders, value, Ct);

        _registry.Registrations.Should().Be(2);
        _registry.Subjects.Should().BeEquivalentTo("logs.events-value", "tenant-a.logs.events-value");
        var id = BinaryPrimitives.ReadInt32BigEndian(first.Span[1..5]);
        BinaryPrimitives.ReadInt32BigEndian(second.Span[1..5]).Should().Be(id);
        BinaryPrimitives.ReadInt32BigEndian(otherTopic.Span[1..5]).Should().Be(id, "the same schema text has one id across subjects");
        second[SchemaRegistryFraming.FrameLength..].ToArray().Should().Equal(value);
    }

    [Fact]
    public async Task Raw_records_dead_letters_and_unnamed_values_pass_unchanged()
    {
        ReadOnlyMemory<byte> value = "{\"level\":\"info\"}"u8.ToArray();

        var raw = await _framing.FrameAsync(Topics.Raw, [MessageSchemas.Raw.Header], value, Ct);
        var deadLetter = await _framing.FrameAsync(Topics.DeadLetter, [MessageSchemas.DeadLetter.Header], value, Ct);
        var unnamed = await _framing.FrameAsync(Topics.Events, [], value, Ct);

        raw.Should().Be(value);
        deadLetter.Should().Be(value);
        unnamed.Should().Be(value);
        _registry.Registrations.Should().Be(0);
    }

    [Fact]
    public async Task A_value_from_Confluent_JsonSerializer_unframes_to_json_the_parser_reads()
    {
        var serializer = new JsonSerializer<ProducerLog>(_client, null, SnakeCase);
        var log = new ProducerLog { Timestamp = "2026-01-04T10:17:11Z", Level = "warn", Message = "slow checkout", Endpoint = "/api/checkout", StatusCode = 200, ResponseTimeMs = 2150.5 };

        var framed = await serializer.SerializeAsync(log, new SerializationContext(MessageComponentType.Value, Topics.Raw));
        var json = SchemaRegistryFraming.Unframe(framed);

        framed[0].Should().Be(0);
        var e = ParserRun.Of(json.ToArray(), RawFormat.Json).Single();
        e.Should().BeEquivalentTo(new
        {
            Timestamp = new DateTimeOffset(2026, 1, 4, 10, 17, 11, TimeSpan.Zero),
            Level = LogLevels.Warning,
            Message = "slow checkout",
            Endpoint = "/api/checkout",
            StatusCode = 200,
            ResponseTimeMs = 2150.5,
        });
        _registry.Subjects.Should().Equal("logs.raw-value");
        _registry.Unhandled.Should().BeEmpty();
    }

    [Theory]
    [InlineData("{\"level\":\"info\"}")]
    [InlineData("timestamp,level\n2026-01-04T10:17:11Z,info\n")]
    [InlineData("")]
    public void Values_that_are_not_framed_are_returned_as_they_are(string text)
    {
        ReadOnlyMemory<byte> value = System.Text.Encoding.UTF8.GetBytes(text);

        SchemaRegistryFraming.Unframe(value).Should().Be(value);
    }

    /// <summary>A consumer that holds the contract passes it as its reader schema, as Confluent's deserializer requires with a registry.</summary>
    private JsonDeserializer<LogEvent> EventDeserializer() =>
        new(_client, new Schema(MessageSchemas.Events.ReadText(), SchemaType.Json), null, SnakeCase);

    /// <summary>A log record as an application would publish it with Confluent's JsonSerializer.</summary>
    public sealed class ProducerLog
    {
        public string Timestamp { get; set; } = "";
        public string Level { get; set; } = "";
        public string Message { get; set; } = "";
        public string Endpoint { get; set; } = "";
        public int StatusCode { get; set; }
        public double ResponseTimeMs { get; set; }
    }
}
