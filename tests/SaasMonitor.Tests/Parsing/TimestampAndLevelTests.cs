using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class TimestampAndLevelTests
{
    public static TheoryData<string, DateTimeOffset> Timestamps() => new()
    {
        { "2025-03-04T05:06:07Z", new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero) },
        { "2025-03-04T05:06:07", new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero) },
        { "2025-03-04T05:06:07.1234567+02:00", new DateTimeOffset(2025, 3, 4, 3, 6, 7, TimeSpan.Zero).AddTicks(1234567) },
        { "2025-03-04T05:06:07.258062-0530", new DateTimeOffset(2025, 3, 4, 10, 36, 7, TimeSpan.Zero).AddTicks(2580620) },
        { "2025-03-04 05:06:07", new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero) },
        { "2025-03-04 05:06:07,500", new(2025, 3, 4, 5, 6, 7, 500, TimeSpan.Zero) },
        { "2025-03-04", new(2025, 3, 4, 0, 0, 0, TimeSpan.Zero) },
        { "04/Mar/2025:05:06:07 +0100", new(2025, 3, 4, 4, 6, 7, TimeSpan.Zero) },
        { "1741064767", new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero) },
        { "1741064767250", new(2025, 3, 4, 5, 6, 7, 250, TimeSpan.Zero) },
    };

    [Theory]
    [MemberData(nameof(Timestamps))]
    public void Every_supported_timestamp_format_gives_the_same_instant_in_utc(string text, DateTimeOffset expected)
    {
        var e = ParserRun.Of($"{{\"timestamp\":\"{text}\"}}", RawFormat.Json).Single();

        e.Timestamp.Should().Be(expected);
        e.Timestamp.Offset.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("warn", LogLevels.Warning)]
    [InlineData("WARNING", LogLevels.Warning)]
    [InlineData("Error", LogLevels.Error)]
    [InlineData("fatal", LogLevels.Critical)]
    [InlineData("trace", LogLevels.Debug)]
    [InlineData("notice", LogLevels.Info)]
    public void Level_words_in_any_case_are_normalised(string word, string expected)
    {
        ParserRun.Of($"{{\"level\":\"{word}\"}}", RawFormat.Json).Single().Level.Should().Be(expected);
    }

    [Theory]
    [InlineData("2025-03-04T05:06:07Z ERROR db down", LogLevels.Error, "db down")]
    [InlineData("2025-03-04 05:06:07.120 [warn] disk 91%", LogLevels.Warning, "disk 91%")]
    [InlineData("2025-03-04T05:06:07Z started", LogLevels.Info, "started")]
    public void Text_lines_with_an_iso_prefix_take_its_time_and_a_leading_level_word_and_keep_the_rest_as_message(string line, string level, string message)
    {
        var e = ParserRun.Of(line, RawFormat.Text).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddMilliseconds(line.Contains(".120") ? 120 : 0));
        e.Level.Should().Be(level);
        e.Message.Should().Be(message);
    }

    [Fact]
    public void A_text_line_without_a_known_layout_keeps_the_line_as_message_and_the_receive_time()
    {
        var e = ParserRun.Of("  something odd happened  ", RawFormat.Text).Single();

        e.Message.Should().Be("something odd happened");
        e.Timestamp.Should().Be(ParserRun.ReceivedAt);
        e.Level.Should().Be(LogLevels.Info);
    }

    [Fact]
    public void A_syslog_date_later_than_the_receive_time_belongs_to_the_year_before()
    {
        var receivedInJanuary = new Parser.Worker.Parsing.RawContext(0, 0, null, null, new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));
        var events = new List<LogEvent>();
        new Parser.Worker.Parsing.LogParser().Parse("Dec 31 23:59:59 host cron[1]: error: job failed"u8, RawFormat.Text, receivedInJanuary, events, []);

        events.Should().ContainSingle().Which.Timestamp.Should().Be(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero));
        events[0].Level.Should().Be(LogLevels.Error);
        events[0].Service.Should().Be("cron");
        events[0].Server.Should().Be("host");
    }
}
