using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using NJsonSchema;
using SaasMonitor.Core.Events;
using SaasMonitor.Tests.Parsing;

namespace SaasMonitor.Tests.Contracts;

/// <summary>logs.events.v1.json is the contract of <see cref="LogEvent"/> as <see cref="LogEventJson"/> writes it.</summary>
public sealed class LogEventSchemaTests
{
    private const string MissingSamples = "(the real-log samples)";

    private static readonly JsonTypeInfo<LogEvent> Json = LogEventJson.Default.LogEvent;

    /// <summary>Every log sample (the loghub *_structured.csv tables are expected parse results, not logs).</summary>
    public static TheoryData<string> SampleFiles()
    {
        var data = new TheoryData<string>();
        if (!TestData.Available)
        {
            // One case that skips with the reason, rather than a theory that cannot enumerate its data.
            data.Add(MissingSamples);
            return data;
        }

        foreach (var file in Directory.EnumerateFiles(TestData.Root, "*", SearchOption.AllDirectories).Where(f => FormatOf(f) is not null && !f.EndsWith("_structured.csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(TestData.Root, file));
        }

        return data;
    }

    [Fact]
    public async Task The_json_property_names_of_LogEvent_are_exactly_the_schema_properties()
    {
        var schema = await ContractSchemas.LoadAsync(MessageSchemas.Events);

        Json.Properties.Select(p => p.Name).Should().BeEquivalentTo(schema.ActualProperties.Keys);
        schema.AllowAdditionalProperties.Should().BeFalse("a field the record does not have is a contract break");
    }

    [Fact]
    public async Task The_schema_requires_exactly_the_fields_that_are_never_null()
    {
        var schema = await ContractSchemas.LoadAsync(MessageSchemas.Events);
        var nullability = new NullabilityInfoContext();
        var neverNull = Json.Properties
            .Where(p => nullability.Create((PropertyInfo)p.AttributeProvider!).ReadState == NullabilityState.NotNull)
            .Select(p => p.Name);

        schema.RequiredProperties.Should().BeEquivalentTo(neverNull);
    }

    [Fact]
    public async Task Each_schema_property_has_the_json_type_of_its_field()
    {
        var schema = await ContractSchemas.LoadAsync(MessageSchemas.Events);

        foreach (var property in Json.Properties)
        {
            var declared = schema.ActualProperties[property.Name];
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type == typeof(string))
            {
                (declared.Type == JsonObjectType.String || declared.Enumeration.All(v => v is string))
                    .Should().BeTrue("{0} is a string", property.Name);
            }
            else if (type == typeof(DateTimeOffset))
            {
                declared.Type.Should().Be(JsonObjectType.String, property.Name);
                declared.Format.Should().Be("date-time", property.Name);
            }
            else if (type == typeof(int))
            {
                declared.Type.Should().Be(JsonObjectType.Integer, property.Name);
            }
            else if (type == typeof(double))
            {
                declared.Type.Should().Be(JsonObjectType.Number, property.Name);
            }
            else if (type == typeof(IReadOnlyDictionary<string, string>))
            {
                declared.Type.Should().Be(JsonObjectType.Object, property.Name);
                declared.AdditionalPropertiesSchema?.ActualSchema.Type.Should().Be(JsonObjectType.String, property.Name);
            }
            else
            {
                Assert.Fail($"{property.Name} has type {type.Name}, which this contract test does not map to a JSON type yet.");
            }
        }
    }

    [Fact]
    public async Task The_level_enum_is_the_normalised_level_names()
    {
        var schema = await ContractSchemas.LoadAsync(MessageSchemas.Events);

        schema.ActualProperties["level"].Enumeration.Should().Equal(LogLevels.All);
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Events_parsed_from_a_real_sample_validate_against_the_schema(string file)
    {
        if (file == MissingSamples)
        {
            TestData.PathOf(file);
        }

        var run = ParserRun.OfFile(FormatOf(file)!.Value, file);
        run.Events.Should().NotBeEmpty();

        foreach (var e in run.Events)
        {
            var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.Events, JsonSerializer.Serialize(e, Json));
            errors.Should().BeEmpty("event {0} of {1} follows logs.events.v1", e.Id, file);
        }
    }

    [Theory]
    [InlineData("id", null, "a required field is missing")]
    [InlineData("level", "\"WARN\"", "the level is not a normalised name")]
    [InlineData("status_code", "\"500\"", "a number is written as a string")]
    [InlineData("colour", "\"red\"", "a field the schema does not declare is present")]
    [InlineData("extra", "{\"retries\":3}", "an extra value is not a string")]
    public async Task A_json_that_breaks_the_schema_is_reported_invalid(string field, string? value, string because)
    {
        var json = JsonSerializer.SerializeToNode(Event(), Json)!.AsObject();
        if (value is null)
        {
            json.Remove(field);
        }
        else
        {
            json[field] = JsonNode.Parse(value);
        }

        var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.Events, json.ToJsonString());

        errors.Should().NotBeEmpty(because);
    }

    [Fact]
    public async Task An_event_with_every_field_set_is_valid()
    {
        var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.Events, JsonSerializer.Serialize(Event(), Json));

        errors.Should().BeEmpty();
    }

    internal static LogEvent Event() => new()
    {
        Id = "3-42-0",
        Timestamp = new DateTimeOffset(2026, 1, 4, 10, 17, 11, 258, TimeSpan.Zero),
        Level = LogLevels.Error,
        Message = "Null pointer exception",
        Service = "api",
        Server = "web-1",
        Endpoint = "/api/orders",
        Method = "POST",
        StatusCode = 500,
        ResponseTimeMs = 394.16,
        ClientIp = "192.168.1.59",
        UserId = "user_130",
        TenantId = "acme",
        TraceId = "4bf92f3577b34da6",
        Extra = new Dictionary<string, string> { ["user_agent"] = "curl/8.5" },
        Raw = "{\"level\":\"error\"}",
        Source = "http",
        FileId = "file-1",
        ReceivedAt = new DateTimeOffset(2026, 1, 4, 10, 17, 12, TimeSpan.Zero),
    };

    private static RawFormat? FormatOf(string path) => Path.GetExtension(path) switch
    {
        ".log" => RawFormat.Auto,
        ".csv" => RawFormat.Csv,
        ".json" => RawFormat.Json,
        _ => null,
    };
}
