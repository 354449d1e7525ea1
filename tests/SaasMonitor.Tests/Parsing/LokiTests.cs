using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class LokiTests
{
    [Fact]
    public void Labels_and_metadata_fill_the_event_and_the_entry_time_wins_when_the_line_has_none()
    {
        var e = ParserRun.Of(
            """{"ts":"1710423900123000000","line":"card declined","labels":{"service_name":"billing","detected_level":"error","instance":"node-1","env":"prod"},"metadata":{"trace_id":"t1"}}""",
            RawFormat.Loki).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        e.Message.Should().Be("card declined");
        e.Service.Should().Be("billing");
        e.Level.Should().Be(LogLevels.Error);
        e.Server.Should().Be("node-1");
        e.TraceId.Should().Be("t1");
        e.Extra.Should().Contain("env", "prod");
        LogParser.FormatFromName("loki").Should().Be(RawFormat.Loki);
    }

    [Fact]
    public void A_line_without_a_level_label_is_read_like_a_text_line()
    {
        var e = ParserRun.Of("""{"ts":"1767182400000000000","line":"2024-03-14T13:45:00Z WARN disk 91% full","labels":{"job":"varlogs"},"metadata":{}}""", RawFormat.Loki).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, TimeSpan.Zero));
        e.Level.Should().Be(LogLevels.Warning);
        e.Service.Should().Be("varlogs");
        e.Message.Should().Be("disk 91% full");
    }

    [Fact]
    public void Escaped_names_and_values_numbers_and_nested_values_read_as_they_were_meant()
    {
        var e = ParserRun.Of(
            """{"other":[1,{"x":2}],"ts":"1710423900000000000","line":"tab\there \"quoted\" \u00e9","labels":{"service\u005fname":"bill\u0069ng","retries":3,"detected_level":"warn","shape":{"a":[1,2]}}}""",
            RawFormat.Loki).Single();

        e.Message.Should().Be("tab\there \"quoted\" é");
        e.Service.Should().Be("billing");
        e.Level.Should().Be(LogLevels.Warning);
        e.Extra.Should().Contain("retries", "3").And.Contain("shape", """{"a":[1,2]}""");
    }

    [Theory]
    [InlineData("""{"ts":"1","line":"x",""", "invalid-json")]
    [InlineData("""{"line":"x"} trailing""", "unexpected content after the JSON object at byte 12")]
    [InlineData("""["line"]""", "expected a JSON object, found Array")]
    public void A_malformed_entry_is_refused_with_the_reason(string entry, string reason)
    {
        var run = ParserRun.Of(entry, RawFormat.Loki);

        run.Events.Should().BeEmpty();
        var failure = run.Failures.Should().ContainSingle().Subject;
        failure.ErrorType.Should().Be("invalid-json");
        (failure.ErrorType + " " + failure.Reason).Should().Contain(reason);
    }
}
