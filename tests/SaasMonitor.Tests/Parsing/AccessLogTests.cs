using System.Globalization;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class AccessLogTests
{
    [Theory]
    [InlineData(RawFormat.Apache)]
    [InlineData(RawFormat.Auto)]
    public void Every_line_of_the_real_access_log_parses_with_the_ip_method_status_and_time_a_plain_split_finds(RawFormat format)
    {
        var lines = File.ReadAllLines(TestData.PathOf("apache", "apache_combined_10k.log"));

        var run = ParserRun.OfFile(format, "apache", "apache_combined_10k.log");

        run.Failures.Should().BeEmpty();
        run.Events.Should().HaveCount(10_000);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var quoted = line.Split('"');
            var e = run.Events[i];
            e.ClientIp.Should().Be(line.Split(' ')[0]);
            e.Method.Should().Be(quoted[1].Split(' ')[0]);
            e.StatusCode.Should().Be(int.Parse(quoted[2].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
            var time = line[(line.IndexOf('[') + 1)..line.IndexOf(']')];
            e.Timestamp.Should().Be(DateTimeOffset.ParseExact(time.Replace("+0000", "+00:00"), "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture));
            var path = quoted[1].Split(' ')[1].Split('?')[0];
            e.Endpoint.Should().Be(EndpointTemplates.Apply(path), "KPIs group by the endpoint's template");
            (e.Extra?.GetValueOrDefault("raw_endpoint") ?? e.Endpoint).Should().Be(path, "the path as written stays on the event");
            e.Level.Should().Be(LogLevels.FromStatus(e.StatusCode));
            e.Service.Should().Be("web");
            e.Raw.Should().Be(line);
        }
    }

    [Fact]
    public void A_combined_line_yields_user_query_protocol_bytes_referrer_agent_and_response_time()
    {
        var e = ParserRun.Of(
            "10.0.0.7 - alice [17/May/2015:10:05:03 +0200] \"post /api/orders?page=2&sort=asc HTTP/1.1\" 503 1234 \"https://ref.example/\" \"curl/8.0\" 1500",
            RawFormat.Apache).Single();

        e.ClientIp.Should().Be("10.0.0.7");
        e.UserId.Should().Be("alice");
        e.Timestamp.Should().Be(new DateTimeOffset(2015, 5, 17, 8, 5, 3, TimeSpan.Zero));
        e.Method.Should().Be("POST");
        e.Endpoint.Should().Be("/api/orders");
        e.StatusCode.Should().Be(503);
        e.Level.Should().Be(LogLevels.Error);
        e.ResponseTimeMs.Should().Be(1.5);
        e.Extra.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["query"] = "page=2&sort=asc",
            ["protocol"] = "HTTP/1.1",
            ["bytes"] = "1234",
            ["referrer"] = "https://ref.example/",
            ["user_agent"] = "curl/8.0",
        });
    }

    [Fact]
    public void A_common_log_line_without_referrer_and_agent_parses_and_nginx_request_time_is_read_as_seconds()
    {
        var run = ParserRun.Of(
            "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 404 -\n" +
            "127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"Mozilla/5.0\" 0.250",
            RawFormat.Apache);

        run.Failures.Should().BeEmpty();
        run.Events[0].Timestamp.Should().Be(new DateTimeOffset(2000, 10, 10, 20, 55, 36, TimeSpan.Zero));
        run.Events[0].Level.Should().Be(LogLevels.Warning);
        run.Events[0].UserId.Should().BeNull();
        run.Events[0].Extra.Should().NotContainKey("bytes");
        run.Events[1].ResponseTimeMs.Should().Be(250);
        run.Events[1].Extra!["user_agent"].Should().Be("Mozilla/5.0");
        run.Events[1].Extra.Should().NotContainKey("referrer");
    }
}
