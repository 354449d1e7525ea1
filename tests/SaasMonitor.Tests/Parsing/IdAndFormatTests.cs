using System.Text;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class IdAndFormatTests
{
    [Fact]
    public void Ids_are_partition_offset_and_index_and_the_same_on_every_parse()
    {
        var payload = Encoding.UTF8.GetBytes("a\nb\n\nc");

        var first = ParserRun.Of(payload, RawFormat.Text).Events.Select(e => e.Id);
        var second = ParserRun.Of(payload, RawFormat.Text).Events.Select(e => e.Id);

        first.Should().Equal("3-42-0", "3-42-1", "3-42-3");
        second.Should().Equal(first);
        EventIds.For(7, 123_456_789_012, 5).Should().Be("7-123456789012-5");
    }

    [Theory]
    [InlineData("json", RawFormat.Json)]
    [InlineData("JSONL", RawFormat.JsonLines)]
    [InlineData("ndjson", RawFormat.JsonLines)]
    [InlineData("csv", RawFormat.Csv)]
    [InlineData("apache", RawFormat.Apache)]
    [InlineData("nginx", RawFormat.Apache)]
    [InlineData("combined", RawFormat.Apache)]
    [InlineData("text", RawFormat.Text)]
    [InlineData("plain", RawFormat.Text)]
    [InlineData("auto", RawFormat.Auto)]
    [InlineData("", RawFormat.Auto)]
    [InlineData(null, RawFormat.Auto)]
    public void Format_names_map_to_raw_formats(string? name, RawFormat expected) =>
        LogParser.FormatFromName(name).Should().Be(expected);

    [Fact]
    public void An_unknown_format_name_is_refused_with_a_message_naming_it()
    {
        var act = () => LogParser.FormatFromName("xml");

        act.Should().Throw<ArgumentException>().WithMessage("*'xml'*");
    }

    [Fact]
    public void The_parser_can_be_reused_across_payloads_without_leaking_fields()
    {
        var parser = new LogParser();
        var events = new List<LogEvent>();

        parser.Parse("{\"service\":\"api\",\"region\":\"eu\",\"status\":500}"u8, RawFormat.Json, ParserRun.Context, events, []);
        parser.Parse("{\"message\":\"plain\"}"u8, RawFormat.Json, ParserRun.Context, events, []);

        events[1].Service.Should().BeNull();
        events[1].Extra.Should().Equal(new Dictionary<string, string> { ["timestamp_source"] = "received" });
        events[1].StatusCode.Should().BeNull();
        events[0].Extra!["region"].Should().Be("eu");
    }
}
