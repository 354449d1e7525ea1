using System.Text;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class FailureTests
{
    [Fact]
    public void A_malformed_json_line_is_rejected_with_its_exact_bytes_and_its_neighbours_still_parse()
    {
        const string bad = "{\"message\": \"unterminated";
        var run = ParserRun.Of($"{{\"message\":\"one\"}}\n{bad}\n{{\"message\":\"three\"}}", RawFormat.JsonLines);

        run.Events.Select(e => e.Message).Should().Equal("one", "three");
        run.Events.Select(e => e.Id).Should().Equal("3-42-0", "3-42-2");
        var failure = run.Failures.Should().ContainSingle().Subject;
        failure.Index.Should().Be(1);
        failure.ErrorType.Should().Be(ParseErrorTypes.InvalidJson);
        failure.Reason.Should().NotBeNullOrWhiteSpace();
        Encoding.UTF8.GetString(failure.Original.Span).Should().Be(bad);
    }

    [Fact]
    public void A_broken_element_of_a_json_array_is_rejected_alone()
    {
        var run = ParserRun.Of("[{\"message\":\"one\"}, {\"message\": tru}, 7, {\"message\":\"four\"}]", RawFormat.Json);

        run.Events.Select(e => (e.Message, e.Id)).Should().Equal(("one", "3-42-0"), ("four", "3-42-3"));
        run.Failures.Select(f => (f.Index, Encoding.UTF8.GetString(f.Original.Span), f.ErrorType)).Should().Equal(
            (1, "{\"message\": tru}", ParseErrorTypes.InvalidJson),
            (2, "7", ParseErrorTypes.InvalidJson));
    }

    [Fact]
    public void A_csv_row_with_the_wrong_number_of_columns_is_rejected_with_its_row_text()
    {
        var run = ParserRun.Of("timestamp,level,message\n2025-01-01T00:00:00Z,INFO,ok\n2025-01-01T00:00:01Z,INFO\n2025-01-01T00:00:02Z,ERROR,fine\n", RawFormat.Csv);

        run.Events.Select(e => e.Message).Should().Equal("ok", "fine");
        var failure = run.Failures.Should().ContainSingle().Subject;
        failure.Index.Should().Be(1);
        failure.ErrorType.Should().Be(ParseErrorTypes.CsvColumnCount);
        failure.Reason.Should().Contain("2").And.Contain("3");
        Encoding.UTF8.GetString(failure.Original.Span).Should().Be("2025-01-01T00:00:01Z,INFO");
    }

    [Fact]
    public void An_explicit_timestamp_that_cannot_be_read_and_a_non_numeric_status_are_rejected()
    {
        var run = ParserRun.Of(
            "{\"timestamp\":\"yesterday\",\"message\":\"a\"}\n{\"status_code\":\"OK\"}\n{\"timestamp\":\"2025-02-30T00:00:00Z\"}\n{\"message\":\"kept\"}",
            RawFormat.JsonLines);

        run.Failures.Select(f => (f.Index, f.ErrorType)).Should().Equal(
            (0, ParseErrorTypes.InvalidTimestamp), (1, ParseErrorTypes.InvalidStatus), (2, ParseErrorTypes.InvalidTimestamp));
        run.Failures[0].Reason.Should().Contain("yesterday");
        run.Failures[1].Reason.Should().Contain("OK");
        run.Events.Should().ContainSingle().Which.Message.Should().Be("kept");
    }

    [Fact]
    public void A_text_line_with_invalid_utf8_is_kept_with_replacement_characters_and_flagged()
    {
        byte[] bad = [.. "bad "u8, 0xC3, 0x28, .. " bytes"u8];
        byte[] payload = [.. "first line\n"u8, .. bad, .. "\nthird line"u8];

        var run = ParserRun.Of(payload, RawFormat.Text);

        run.Failures.Should().BeEmpty();
        run.Events.Select(e => e.Message).Should().Equal("first line", "bad \uFFFD( bytes", "third line");
        run.Events[1].Extra.Should().Contain(Parser.Worker.Parsing.LogParser.InvalidUtf8Field, "replaced by U+FFFD");
        run.Events[0].Extra.Should().NotContainKey(Parser.Worker.Parsing.LogParser.InvalidUtf8Field);
    }

    [Fact]
    public void Invalid_utf8_rejects_only_the_json_line_that_holds_it()
    {
        byte[] bad = [.. "{\"message\":\"bad "u8, 0xC3, 0x28, .. "\"}"u8];
        byte[] payload = [.. "{\"message\":\"first\"}\n"u8, .. bad, .. "\n{\"message\":\"third\"}"u8];

        var run = ParserRun.Of(payload, RawFormat.JsonLines);

        run.Events.Select(e => e.Message).Should().Equal("first", "third");
        var failure = run.Failures.Should().ContainSingle().Subject;
        failure.Index.Should().Be(1);
        failure.ErrorType.Should().Be(ParseErrorTypes.InvalidUtf8);
        failure.Original.ToArray().Should().Equal(bad);
    }

    [Fact]
    public void Invalid_utf8_inside_a_json_array_rejects_only_that_element()
    {
        byte[] bad = [.. "{\"message\":\""u8, 0xFF, .. "\"}"u8];
        byte[] payload = [.. "[{\"message\":\"a\"},"u8, .. bad, .. ",{\"message\":\"c\"}]"u8];

        var run = ParserRun.Of(payload, RawFormat.Json);

        run.Events.Select(e => e.Message).Should().Equal("a", "c");
        run.Failures.Should().ContainSingle().Which.Original.ToArray().Should().Equal(bad);
        run.Failures[0].ErrorType.Should().Be(ParseErrorTypes.InvalidUtf8);
    }

    [Fact]
    public void A_line_that_is_not_an_access_log_line_is_rejected_when_the_format_is_apache_and_kept_as_text_when_detected()
    {
        const string payload = "just a sentence\n1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"";

        var apache = ParserRun.Of(payload, RawFormat.Apache);
        var auto = ParserRun.Of(payload, RawFormat.Auto);

        apache.Failures.Should().ContainSingle().Which.ErrorType.Should().Be(ParseErrorTypes.NotApacheFormat);
        apache.Failures[0].Original.ToArray().Should().Equal("just a sentence"u8.ToArray());
        apache.Events.Should().ContainSingle().Which.StatusCode.Should().Be(200);
        auto.Failures.Should().BeEmpty();
        auto.Events.Select(e => e.Service).Should().Equal(null, "web");
    }
}
