using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class ExtraAndLevelCacheTests
{
    [Fact]
    public void Extra_fields_keep_their_order_and_answer_lookups_past_the_first_two()
    {
        var extra = ParserRun.Of(
            "{\"a\":\"1\",\"time\":\"2025-01-02T03:04:05Z\",\"message\":\"m\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"b\":\"two\"}", RawFormat.JsonLines).Single().Extra!;

        extra.Should().HaveCount(4);
        extra.Select(p => p.Key).Should().Equal("a", "b", "c", "d");
        extra.Keys.Should().Equal("a", "b", "c", "d");
        extra.Values.Should().Equal("1", "two", "3", "4");
        extra["d"].Should().Be("4");
        extra.ContainsKey("c").Should().BeTrue();
        extra.TryGetValue("e", out _).Should().BeFalse();
        extra.Invoking(e => e["e"]).Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void Level_words_map_the_same_on_every_line_whatever_their_case_or_length()
    {
        var words = new[] { "info", "INFO", "Warn", "information", "INFORMATION", "bogus", "err", "ERROR", "fatal", "bogus", "debug", "", "info" };
        var payload = string.Join('\n', words.Select(w => $"{{\"level\":\"{w}\",\"time\":1735786800,\"message\":\"x\"}}"));

        var run = ParserRun.Of(string.Concat(Enumerable.Repeat(payload + "\n", 3)), RawFormat.JsonLines);

        run.Failures.Should().BeEmpty();
        var expected = new[]
        {
            LogLevels.Info, LogLevels.Info, LogLevels.Warning, LogLevels.Info, LogLevels.Info, LogLevels.Info, LogLevels.Error,
            LogLevels.Error, LogLevels.Critical, LogLevels.Info, LogLevels.Debug, LogLevels.Info, LogLevels.Info,
        };
        run.Events.Select(e => e.Level).Should().Equal(expected.Concat(expected).Concat(expected));
        run.Events.Where(e => e.Extra is not null).Select(e => e.Extra!["level"]).Should().Equal("bogus", "bogus", "bogus", "bogus", "bogus", "bogus");
    }
}
