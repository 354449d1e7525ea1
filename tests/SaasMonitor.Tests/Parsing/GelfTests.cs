using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class GelfTests
{
    [Fact]
    public void A_gelf_message_gives_time_level_host_message_and_its_additional_fields()
    {
        var e = ParserRun.Of(
            """{"version":"1.1","host":"web-1","short_message":"Slow request","full_message":"Slow request\nwith details","timestamp":1710423900.123,"level":4,"_app":"shop","_status_code":503,"_user_id":"u7","_region":"eu","_id":"ignored","facility":"nginx"}""",
            RawFormat.Gelf).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        e.Level.Should().Be(LogLevels.Warning);
        e.Server.Should().Be("web-1");
        e.Service.Should().Be("shop");
        e.Message.Should().Be("Slow request");
        e.StatusCode.Should().Be(503);
        e.UserId.Should().Be("u7");
        e.Extra.Should().Contain("full_message", "Slow request\nwith details").And.Contain("region", "eu").And.Contain("facility", "nginx")
            .And.NotContainKey("id").And.NotContainKey("_id");
    }

    [Theory]
    [InlineData("3", LogLevels.Error)]
    [InlineData("0", LogLevels.Critical)]
    [InlineData("7", LogLevels.Debug)]
    [InlineData("\"warn\"", LogLevels.Warning)]
    public void Gelf_levels_are_syslog_severities_or_level_words(string level, string expected)
    {
        ParserRun.Of($$"""{"short_message":"x","timestamp":1710423900,"level":{{level}}}""", RawFormat.Gelf).Single().Level.Should().Be(expected);
    }
}
