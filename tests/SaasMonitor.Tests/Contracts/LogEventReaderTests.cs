using System.Text;
using System.Text.Json;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Contracts;

public sealed class LogEventReaderTests
{
    [Fact]
    public void Reads_what_the_serializer_writes_in_either_escaping()
    {
        var e = LogEventSchemaTests.Event() with { Message = "café \"naïve\" <b> & 'x' + 1\n\ttab" };

        LogEventReader.Read(JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event)).Should().BeEquivalentTo(e);
        LogEventReader.Read(JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Default.LogEvent)).Should().BeEquivalentTo(e);
    }

    [Fact]
    public void Reads_an_event_with_only_the_required_fields_and_the_record_defaults()
    {
        var e = LogEventReader.Read("""{"id":"1-2-0","timestamp":"2026-01-04T10:17:11.258+02:00","level":"info"}"""u8);

        e.Should().BeEquivalentTo(new LogEvent
        {
            Id = "1-2-0",
            Timestamp = new DateTimeOffset(2026, 1, 4, 10, 17, 11, 258, TimeSpan.FromHours(2)),
            Level = "info",
        });
        e.Message.Should().BeEmpty("a missing message is the record's empty default");
    }

    [Fact]
    public void Accepts_any_order_escaped_names_nulls_and_unknown_properties()
    {
        var json = Encoding.UTF8.GetBytes(
            """{"future":{"a":[1,{"b":null}]},"level":"warn","status\u005Fcode":404,"service":null,"response_time_ms":null,"extra":{"k":"v"},"timestamp":"2026-01-04T10:17:11Z","id":"x","received_at":null}""");

        var e = LogEventReader.Read(json);

        e.Should().BeEquivalentTo(new LogEvent
        {
            Id = "x",
            Timestamp = new DateTimeOffset(2026, 1, 4, 10, 17, 11, TimeSpan.Zero),
            Level = "warn",
            StatusCode = 404,
            Extra = new Dictionary<string, string> { ["k"] = "v" },
        });
    }

    [Fact]
    public void Without_text_skips_the_message_raw_line_and_extra_fields()
    {
        var e = LogEventSchemaTests.Event();

        var read = LogEventReader.Read(JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event), withText: false);

        read.Should().BeEquivalentTo(e with { Message = "", Raw = null, Extra = null });
    }

    [Theory]
    [InlineData("""{"timestamp":"2026-01-04T10:17:11Z","level":"info"}""", "'id'")]
    [InlineData("""{"id":"x","level":"info"}""", "'timestamp'")]
    [InlineData("""{"id":"x","timestamp":"2026-01-04T10:17:11Z"}""", "'level'")]
    [InlineData("""{"id":"x","timestamp":"yesterday","level":"info"}""", "wrong type")]
    [InlineData("""{"id":"x","timestamp":"2026-01-04T10:17:11Z","level":"info","status_code":"500"}""", "wrong type")]
    [InlineData("""["id"]""", "JSON object")]
    public void Refuses_what_is_not_an_event(string json, string reason)
    {
        var read = () => LogEventReader.Read(Encoding.UTF8.GetBytes(json));

        read.Should().Throw<JsonException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void Refuses_malformed_json()
    {
        var read = () => LogEventReader.Read("""{"id":"x","timestamp":"2026-01-04T10:17:11Z","level":"info" """u8.ToArray());

        read.Should().Throw<JsonException>();
    }
}
