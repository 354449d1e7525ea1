using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class JsonTests
{
    [Theory]
    [InlineData(RawFormat.JsonLines)]
    [InlineData(RawFormat.Auto)]
    public void Json_lines_give_one_event_per_line_and_blank_lines_keep_their_index(RawFormat format)
    {
        var run = ParserRun.Of(
            "{\"ts\":\"2025-01-02T03:04:05+01:00\",\"severity\":\"error\",\"msg\":\"boom\",\"service\":\"billing\"}\n" +
            "\n" +
            "{\"time\":1735787045,\"msg\":\"second\",\"http_status\":\"404\"}\r\n",
            format);

        run.Failures.Should().BeEmpty();
        run.Events.Should().HaveCount(2);
        run.Events[0].Timestamp.Should().Be(new DateTimeOffset(2025, 1, 2, 2, 4, 5, TimeSpan.Zero));
        run.Events[0].Level.Should().Be(LogLevels.Error);
        run.Events[0].Service.Should().Be("billing");
        run.Events[0].Id.Should().Be("3-42-0");
        run.Events[0].Raw.Should().Be("{\"ts\":\"2025-01-02T03:04:05+01:00\",\"severity\":\"error\",\"msg\":\"boom\",\"service\":\"billing\"}");
        run.Events[1].Id.Should().Be("3-42-2");
        run.Events[1].Timestamp.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1735787045));
        run.Events[1].StatusCode.Should().Be(404);
        run.Events[1].Level.Should().Be(LogLevels.Warning, "a record without a level takes it from its status");
    }

    [Fact]
    public void Epoch_seconds_and_milliseconds_are_told_apart_by_magnitude_as_numbers_or_strings()
    {
        var run = ParserRun.Of(
            "{\"timestamp\":1735787045}\n{\"timestamp\":1735787045123}\n{\"timestamp\":\"1735787045123\"}\n{\"timestamp\":1735787045.5}",
            RawFormat.JsonLines);

        run.Events.Select(e => e.Timestamp).Should().Equal(
            DateTimeOffset.FromUnixTimeSeconds(1735787045),
            DateTimeOffset.FromUnixTimeMilliseconds(1735787045123),
            DateTimeOffset.FromUnixTimeMilliseconds(1735787045123),
            DateTimeOffset.FromUnixTimeMilliseconds(1735787045500));
    }

    [Fact]
    public void Unknown_properties_go_to_extra_as_strings_and_nested_values_as_their_json_text()
    {
        var e = ParserRun.Of(
            "{\"message\":\"a \\\"quoted\\\" word\",\"region\":\"eu\",\"attempt\":3,\"cached\":false,\"tags\":[\"a\",\"b\"],\"ctx\":{\"k\":1},\"nothing\":null}",
            RawFormat.Json).Single();

        e.Message.Should().Be("a \"quoted\" word");
        e.Extra.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["region"] = "eu",
            ["attempt"] = "3",
            ["cached"] = "false",
            ["tags"] = "[\"a\",\"b\"]",
            ["ctx"] = "{\"k\":1}",
            ["timestamp_source"] = "received",
        });
    }

    [Fact]
    public void A_single_pretty_printed_object_is_one_record()
    {
        var e = ParserRun.Of("{\n  \"level\": \"debug\",\n  \"message\": \"hi\"\n}\n").Single();

        e.Level.Should().Be(LogLevels.Debug);
        e.Id.Should().Be("3-42-0");
    }

    [Fact]
    public void Methods_are_upper_cased_and_a_level_word_nobody_knows_is_kept_in_extra()
    {
        var e = ParserRun.Of("[{\"method\":\"delete\",\"level\":\"30\",\"status_code\":503}]").Single();

        e.Method.Should().Be("DELETE");
        e.Level.Should().Be(LogLevels.Error);
        e.Extra!["level"].Should().Be("30");
    }
}
