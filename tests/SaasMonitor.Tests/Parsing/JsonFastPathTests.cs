using System.Text;
using System.Text.Json;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

/// <summary>
/// Flat JSON records are read straight from their bytes; anything else goes through Utf8JsonReader. These tests pin
/// that both ways give the same events and the same failures.
/// </summary>
public class JsonFastPathTests
{
    public static TheoryData<string> FlatRecords => new()
    {
        """{"timestamp":"2025-03-04T05:06:07.123Z","level":"warn","message":"disk almost full","service":"api","status_code":507}""",
        """{"ts":1735787045,"severity":"ERROR","msg":"x","response_time_ms":12.5e1,"latency_ms":"slow","http_status":"404"}""",
        """{"time":"1735787045123","level":"notalevel","attempt":-0.5E-3,"big":12345678901234567890,"zero":0,"neg":-7}""",
        """  { "message" : "spaced out" ,	"ok" : true , "cached":false, "nothing" : null , "user":"u1" }  """,
        """{"message":"café ✓ 日本","user_agent":"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0","ip":"10.0.0.1"}""",
        """{"message":"first","message":"second","region":"eu","region":"us","method":"patch","path":"/api/x?y=1"}""",
        """{"trace_id":"abc123","tenant":"t1","host":"srv-01","app":"billing","duration_ms":"","status":""}""",
        """{}""",
        """{"message":"/ and ' and ] and } and , and : inside"}""",
    };

    [Theory]
    [MemberData(nameof(FlatRecords))]
    public void A_flat_record_gives_the_same_event_as_when_the_json_reader_reads_it(string record)
    {
        // An escaped letter in an extra key sends the record down the Utf8JsonReader path.
        var viaReader = WithEscapedMarker(record);

        var fast = ParserRun.Of(record, RawFormat.JsonLines).Single();
        var slow = ParserRun.Of(viaReader, RawFormat.JsonLines).Single();

        slow.Extra.Should().ContainKey("marker", "the escaped key must be unescaped on the reader path");
        fast.Should().BeEquivalentTo(slow, options => options
            .Excluding(e => e.Raw)
            .Excluding(e => e.Extra));
        (fast.Extra ?? new Dictionary<string, string>()).Should().BeEquivalentTo(
            slow.Extra!.Where(p => p.Key != "marker").ToDictionary(p => p.Key, p => p.Value));
        fast.Raw.Should().Be(record);
    }

    [Theory]
    [InlineData("""{"message":"a",}""")]
    [InlineData("""{"message":"a" "level":"info"}""")]
    [InlineData("""{"message" "a"}""")]
    [InlineData("""{"status":01}""")]
    [InlineData("""{"status":1.}""")]
    [InlineData("""{"status":-}""")]
    [InlineData("""{"status":+1}""")]
    [InlineData("""{"status":.5}""")]
    [InlineData("""{"status":1e}""")]
    [InlineData("""{"status":12a}""")]
    [InlineData("""{"ok":tru}""")]
    [InlineData("""{"ok":nul}""")]
    [InlineData("""{"ok":truex}""")]
    [InlineData("""{message:"a"}""")]
    [InlineData("""{'message':'a'}""")]
    [InlineData("{\"message\":\"a\"")]
    [InlineData("""{"message":"unterminated""")]
    [InlineData("{\"message\":\"tab\tinside\"}")]
    [InlineData("{\"message\":\"bell\u0007inside\"}")]
    public void Malformed_json_is_rejected_with_the_json_readers_own_reason(string record)
    {
        var run = ParserRun.Of(record + "\n{\"message\":\"next\"}", RawFormat.JsonLines);

        run.Events.Select(e => e.Message).Should().Equal("next");
        var failure = run.Failures.Should().ContainSingle().Subject;
        failure.ErrorType.Should().Be(ParseErrorTypes.InvalidJson);
        failure.Reason.Should().Be(ReaderError(record));
        Encoding.UTF8.GetString(failure.Original.Span).Should().Be(record);
    }

    [Fact]
    public void Content_after_the_object_on_a_json_line_is_rejected()
    {
        var run = ParserRun.Of("{\"message\":\"a\"} {\"message\":\"b\"}", RawFormat.JsonLines);

        run.Events.Should().BeEmpty();
        run.Failures.Should().ContainSingle().Which.ErrorType.Should().Be(ParseErrorTypes.InvalidJson);
    }

    [Fact]
    public void Escaped_and_raw_unicode_strings_give_the_same_text()
    {
        var run = ParserRun.Of(
            "{\"message\":\"caf\\u00e9 \\ud83d\\ude00 \\u65e5\",\"user\":\"j\\u00f6rg\"}\n" +
            "{\"message\":\"café 😀 日\",\"user\":\"jörg\"}\n" +
            "{\"message\":\"café 😀 日\",\"user\":\"jörg\"}",
            RawFormat.JsonLines);

        run.Failures.Should().BeEmpty();
        run.Events.Select(e => e.Message).Should().AllBe("café 😀 日");
        run.Events.Select(e => e.UserId).Should().AllBe("jörg");
    }

    [Fact]
    public void Escapes_in_keys_and_values_are_undone()
    {
        var e = ParserRun.Of("{\"m\\u0065ssage\":\"say \\\"hi\\\"\\n\\tthen \\\\ and \\/\",\"note\":\"a\\u0000b\"}", RawFormat.JsonLines).Single();

        e.Message.Should().Be("say \"hi\"\n\tthen \\ and /");
        e.Extra.Should().Equal(new Dictionary<string, string> { ["note"] = "a\0b", ["timestamp_source"] = "received" });
    }

    [Fact]
    public void Records_with_other_keys_or_another_key_order_map_each_key_to_its_own_field()
    {
        var parser = new LogParser();
        var events = new List<LogEvent>();
        var failures = new List<ParseFailure>();

        parser.Parse(
            Encoding.UTF8.GetBytes(
                "{\"level\":\"error\",\"message\":\"a\",\"zone\":\"z1\"}\n" +
                "{\"message\":\"b\",\"level\":\"info\",\"region\":\"r1\"}\n" +
                "{\"lvl\":\"debug\",\"msg\":\"c\",\"service\":\"s\"}"),
            RawFormat.JsonLines, ParserRun.Context, events, failures);
        parser.Parse(
            Encoding.UTF8.GetBytes("{\"service\":\"t\",\"message\":\"d\",\"level\":\"warning\"}"),
            RawFormat.JsonLines, ParserRun.Context, events, failures);

        failures.Should().BeEmpty();
        events.Select(e => (e.Message, e.Level, e.Service)).Should().Equal(
            ("a", LogLevels.Error, null),
            ("b", LogLevels.Info, null),
            ("c", LogLevels.Info, "s"),
            ("d", LogLevels.Warning, "t"));
        events[0].Extra.Should().Equal(new Dictionary<string, string> { ["zone"] = "z1", ["timestamp_source"] = "received" });
        events[1].Extra.Should().Equal(new Dictionary<string, string> { ["region"] = "r1", ["timestamp_source"] = "received" });
        events[2].Extra.Should().Equal(new Dictionary<string, string> { ["lvl"] = "debug", ["timestamp_source"] = "received" });
        events[3].Extra.Should().Equal(new Dictionary<string, string> { ["timestamp_source"] = "received" });
    }

    [Fact]
    public void Values_that_share_their_first_sixteen_bytes_stay_distinct()
    {
        var run = ParserRun.Of(
            "{\"user_agent\":\"Mozilla/5.0 (X11) Firefox\",\"user\":\"user_0000000000001\"}\n" +
            "{\"user_agent\":\"Mozilla/5.0 (X11) Chrome\",\"user\":\"user_0000000000002\"}\n" +
            "{\"user_agent\":\"Mozilla/5.0 (X11) Firefox\",\"user\":\"user_00000000000012\"}\n" +
            "{\"user_agent\":\"Mozilla/5.0 (X11)\",\"user\":\"user_000000000000\"}",
            RawFormat.JsonLines);

        run.Failures.Should().BeEmpty();
        run.Events.Select(e => e.Extra!["user_agent"]).Should().Equal(
            "Mozilla/5.0 (X11) Firefox", "Mozilla/5.0 (X11) Chrome", "Mozilla/5.0 (X11) Firefox", "Mozilla/5.0 (X11)");
        run.Events.Select(e => e.UserId).Should().Equal(
            "user_0000000000001", "user_0000000000002", "user_00000000000012", "user_000000000000");
    }

    [Fact]
    public void A_flat_object_inside_a_json_array_is_read_up_to_its_closing_brace()
    {
        var run = ParserRun.Of("[{\"message\":\"a\",\"n\":1} ,{\"message\":\"b\",\"n\":-2.5e3}]", RawFormat.Json);

        run.Failures.Should().BeEmpty();
        run.Events.Select(e => (e.Message, e.Extra!["n"], e.Raw)).Should().Equal(
            ("a", "1", "{\"message\":\"a\",\"n\":1}"),
            ("b", "-2.5e3", "{\"message\":\"b\",\"n\":-2.5e3}"));
    }

    /// <summary>The record with a leading extra property whose key carries an escape.</summary>
    private static string WithEscapedMarker(string record)
    {
        var brace = record.IndexOf('{', StringComparison.Ordinal);
        var rest = record[(brace + 1)..].TrimStart();
        var separator = rest.StartsWith('}') ? "" : ",";
        return record[..(brace + 1)] + "\"m\\u0061rker\":\"1\"" + separator + record[(brace + 1)..];
    }

    /// <summary>What Utf8JsonReader says about the record, reading it token by token.</summary>
    private static string ReaderError(string record)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(record));
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            return e.Message;
        }

        throw new InvalidOperationException($"Utf8JsonReader accepts {record}");
    }
}
