using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class ClefTests
{
    [Fact]
    public void A_clef_event_renders_its_template_and_keeps_level_time_exception_ids_and_properties()
    {
        var e = ParserRun.Of(
            """{"@t":"2024-03-14T13:45:00.1234567Z","@mt":"User {User} got {{literal}} {Status,5} in {Elapsed:0.0} ms from {@Client} {Missing}","@l":"Warning","@x":"System.Exception: boom\n   at A.B()","@i":"a1b2c3d4","@tr":"0af7651916cd43dd8448eb211c80319c","@sp":"b7ad6b7169203331","User":"alice","Status":503,"Elapsed":12.5,"Client":{"Ip":"10.0.0.1"},"RequestPath":"/api/orders","@@weird":"x"}""",
            RawFormat.Clef).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, TimeSpan.Zero).AddTicks(1234567));
        e.Level.Should().Be(LogLevels.Warning);
        e.Message.Should().Be("User alice got {literal} 503 in 12.5 ms from {\"Ip\":\"10.0.0.1\"} {Missing}");
        e.StatusCode.Should().Be(503);
        e.ResponseTimeMs.Should().Be(12.5);
        e.Endpoint.Should().Be("/api/orders");
        e.UserId.Should().Be("alice");
        e.TraceId.Should().Be("0af7651916cd43dd8448eb211c80319c");
        e.Extra.Should().Contain("exception", "System.Exception: boom\n   at A.B()").And.Contain("event_id", "a1b2c3d4")
            .And.Contain("span_id", "b7ad6b7169203331").And.Contain("@weird", "x")
            .And.Contain("message_template", "User {User} got {{literal}} {Status,5} in {Elapsed:0.0} ms from {@Client} {Missing}");
    }

    [Fact]
    public void A_clef_event_without_a_level_is_information_and_a_rendered_message_wins_over_the_template()
    {
        var e = ParserRun.Of("""{"@t":"2024-03-14T13:45:00Z","@m":"already rendered","@mt":"{A}","A":1}""", RawFormat.Clef).Single();

        e.Level.Should().Be(LogLevels.Info);
        e.Message.Should().Be("already rendered");
    }

    [Fact]
    public void A_property_named_like_a_timestamp_does_not_replace_the_event_time_or_fail_the_event()
    {
        var e = ParserRun.Of("""{"@t":"2024-03-14T13:45:00Z","@mt":"x","Date":"yesterday","Level":"custom"}""", RawFormat.Clef).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, TimeSpan.Zero));
        e.Extra.Should().Contain("Date", "yesterday").And.Contain("Level", "custom");
    }

    [Fact]
    public void A_line_that_is_not_a_clef_object_is_a_failure_with_the_reason()
    {
        var run = ParserRun.Of("{\"@t\":\"2024-03-14T13:45:00Z\",\"@mt\":\"ok\"}\n[1,2]\n{\"@mt\": }\n", RawFormat.Clef);

        run.Events.Should().ContainSingle();
        run.Failures.Select(f => f.Index).Should().Equal(1, 2);
        run.Failures.Should().OnlyContain(f => f.ErrorType == "invalid-json");
    }
}
