using System.ComponentModel.DataAnnotations;
using System.Text;
using Parser.Worker;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class MultiLineStartTests
{
    private const string Log = """
        2024-03-14 13:45:00 ERROR payment failed
        not indented, yet part of the error
        2024-03-14 13:45:01 INFO next event
        """;

    [Fact]
    public void A_source_with_a_start_pattern_joins_every_line_that_does_not_match_it()
    {
        var options = new ParsingOptions { MultiLineStart = { ["upload"] = @"^\d{4}-\d{2}-\d{2} " } };
        var events = new List<LogEvent>();
        new LogParser(options.MultiLineStarts()).Parse(Encoding.UTF8.GetBytes(Log), RawFormat.Text, ParserRun.Context, events, []);

        events.Select(e => e.Level).Should().Equal(LogLevels.Error, LogLevels.Info);
        events[0].Message.Should().Be("payment failed\nnot indented, yet part of the error");
    }

    [Fact]
    public void Other_sources_keep_the_general_rules()
    {
        var options = new ParsingOptions { MultiLineStart = { ["elsewhere"] = "^never$" } };
        var events = new List<LogEvent>();
        new LogParser(options.MultiLineStarts()).Parse(Encoding.UTF8.GetBytes(Log), RawFormat.Text, ParserRun.Context, events, []);

        events.Should().HaveCount(2, "the unindented line has neither timestamp nor level in a timestamped stream, so it joins anyway");
        new LogParser(options.MultiLineStarts()).Parse(Encoding.UTF8.GetBytes("2024-03-14 13:45:00 ERROR a\n2024-03-14 13:45:00 ERROR b"), RawFormat.Text, ParserRun.Context, events, []);
        events.Should().HaveCount(4);
    }

    [Fact]
    public void A_start_pattern_that_is_not_a_regular_expression_is_refused_with_the_reason()
    {
        var options = new ParsingOptions { MultiLineStart = { ["upload"] = "([" } };

        options.Validate(new ValidationContext(options)).Should().ContainSingle()
            .Which.ErrorMessage.Should().Contain("SaasMonitor:Parsing:MultiLineStart:upload is not a regular expression");
    }
}
