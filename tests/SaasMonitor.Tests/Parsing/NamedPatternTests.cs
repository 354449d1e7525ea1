using System.ComponentModel.DataAnnotations;
using System.Text;
using Parser.Worker;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class NamedPatternTests
{
    /// <summary>An in-house format the general rules cannot read: pipe-separated, level as a number, duration in the middle.</summary>
    private const string Line = "shop7|2024-03-14 13:45:07.250|3|GET /api/orders/881|took 412ms|user=u-17|payment provider slow";

    private static readonly ParsingOptions Options = new()
    {
        Patterns =
        {
            ["SEVERITY"] = "[0-4]",
            ["SHOP"] = @"%{HOSTNAME:host}\|%{TIMESTAMP_ISO8601:timestamp}\|%{SEVERITY:severity}\|%{WORD:method} %{URIPATH:endpoint}\|took %{NUMBER:response_time_ms}ms\|user=%{USER:user_id}\|%{GREEDYDATA:message}",
        },
        Sources = { ["shop"] = new SourceParsing { Pattern = "SHOP" }, ["proxy"] = new SourceParsing { Pattern = "NGINX_ERROR" } },
    };

    [Fact]
    public void A_configured_pattern_reads_the_lines_of_its_source_into_event_fields()
    {
        var e = Parse(Line, "shop").Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 7, 250, TimeSpan.Zero));
        e.Server.Should().Be("shop7");
        e.Method.Should().Be("GET");
        e.Endpoint.Should().Be("/api/orders/{id}");
        e.ResponseTimeMs.Should().Be(412);
        e.UserId.Should().Be("u-17");
        e.Message.Should().Be("payment provider slow");
        e.Extra.Should().Contain("severity", "3");
    }

    [Fact]
    public void Other_sources_and_lines_the_pattern_does_not_match_keep_the_general_rules()
    {
        var other = Parse(Line, "elsewhere").Single();
        other.Endpoint.Should().BeNull("the pattern belongs to the source 'shop' only");
        other.UserId.Should().BeNull();
        other.ResponseTimeMs.Should().BeNull();

        var unmatched = Parse("2024-03-14 13:45:08 ERROR not in the shop format", "shop").Single();
        unmatched.Level.Should().Be(LogLevels.Error);
        unmatched.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 8, TimeSpan.Zero));
        unmatched.Message.Should().Be("not in the shop format");
    }

    [Fact]
    public void A_built_in_pattern_named_for_a_source_reads_its_lines()
    {
        var e = Parse("2024/03/14 13:45:09 [error] 1234#0: *5 connect() failed (111: Connection refused) while connecting to upstream", "proxy").Single();

        e.Level.Should().Be(LogLevels.Error);
        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 9, TimeSpan.Zero));
        e.Message.Should().StartWith("connect() failed");
        e.Extra.Should().Contain("pid", "1234").And.Contain("connection", "5");
    }

    [Theory]
    [InlineData("POSTGRESQL", "2024-03-14 13:45:10.123 UTC [4711] app@shop ERROR:  duplicate key value violates unique constraint", LogLevels.Error)]
    [InlineData("MYSQL_ERROR", "2024-03-14T13:45:10.123456Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.", LogLevels.Warning)]
    [InlineData("LOG4J", "2024-03-14 13:45:10,123 [http-nio-8080-exec-1] ERROR com.shop.OrderService - order 42 failed", LogLevels.Error)]
    [InlineData("SPRING_BOOT", "2024-03-14 13:45:10.123  WARN 4711 --- [           main] o.s.b.a.OrderConfig      : cache disabled", LogLevels.Warning)]
    [InlineData("SERILOG_FILE", "2024-03-14 13:45:10.123 +00:00 [ERR] Order 42 failed", LogLevels.Error)]
    [InlineData("PYTHON_ASCTIME", "2024-03-14 13:45:10,123 - shop.orders - ERROR - order 42 failed", LogLevels.Error)]
    [InlineData("CRI_LOG", "2024-03-14T13:45:10.123456789Z stderr F order 42 failed", null)]
    [InlineData("DOCKER_DAEMON", "time=\"2024-03-14T13:45:10.123Z\" level=warning msg=\"container shop exited\"", LogLevels.Warning)]
    [InlineData("SYSLOGLINE", "Mar 14 13:45:10 web1 sshd[4711]: Accepted publickey for deploy", null)]
    public void The_library_reads_common_software(string pattern, string line, string? level)
    {
        var options = new ParsingOptions { Sources = { ["app"] = new SourceParsing { Pattern = pattern } } };

        var e = Parse(line, "app", options).Single();

        // A syslog time has no year: the parser takes the receive time's.
        e.Timestamp.UtcDateTime.ToString("MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture).Should().Be("03-14 13:45:10");
        (e.Extra ?? new Dictionary<string, string>()).Should().NotContainKey(EventBuilder.TimestampSourceField, "the timestamp came from the line");
        if (level is not null)
        {
            e.Level.Should().Be(level);
        }
    }

    [Fact]
    public void Every_built_in_pattern_compiles()
    {
        foreach (var name in PatternLibrary.BuiltIn.Keys)
        {
            LinePattern.Create(name, new Dictionary<string, string>(), out var problem).Should().NotBeNull(problem);
        }
    }

    [Theory]
    [InlineData("([", "is not a regular expression once expanded")]
    [InlineData("%{NOSUCH:message}", "%{NOSUCH} names no built-in or configured pattern")]
    [InlineData("%{bad field}", "is not a reference")]
    [InlineData("x%{LOOP}", "refers to itself through LOOP → LOOP")]
    public void A_pattern_that_cannot_be_used_is_refused_with_the_reason(string pattern, string reason)
    {
        var options = new ParsingOptions { Patterns = { ["LOOP"] = pattern } };

        options.Validate(new ValidationContext(options)).Should().ContainSingle()
            .Which.ErrorMessage.Should().StartWith("SaasMonitor:Parsing:Patterns:LOOP cannot be used:").And.Contain(reason);
    }

    [Fact]
    public void A_source_naming_no_pattern_is_refused_with_the_reason()
    {
        var options = new ParsingOptions { Sources = { ["shop"] = new SourceParsing { Pattern = "SHOPP" } } };

        options.Validate(new ValidationContext(options)).Should().ContainSingle()
            .Which.ErrorMessage.Should().StartWith("SaasMonitor:Parsing:Sources:shop:Pattern names 'SHOPP', which cannot be used: there is no pattern named 'SHOPP'");
    }

    private static ParserRun Parse(string text, string source, ParsingOptions? options = null)
    {
        options ??= Options;
        var run = new ParserRun([], []);
        new LogParser(options.MultiLineStarts(), options.SourcePatterns())
            .Parse(Encoding.UTF8.GetBytes(text), RawFormat.Text, ParserRun.Context with { Source = source }, run.Events, run.Failures);
        return run;
    }
}
