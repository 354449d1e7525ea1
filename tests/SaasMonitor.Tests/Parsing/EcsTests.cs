using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class EcsTests
{
    [Fact]
    public void Nested_and_dotted_ecs_names_fill_the_same_fields()
    {
        const string nested = """{"_index":"logs-web","@timestamp":"2024-03-14T13:45:00.123Z","log":{"level":"WARN","logger":"web"},"message":"Slow request","service":{"name":"shop"},"host":{"hostname":"web-1"},"http":{"request":{"method":"get"},"response":{"status_code":504}},"url":{"path":"/api/cart"},"event":{"duration":250000000,"dataset":"web.access"},"user":{"name":"alice"},"trace":{"id":"t-1"},"span":{"id":"s-1"},"client":{"ip":"10.0.0.7"},"organization":{"id":"acme"},"tags":["a","b"]}""";
        const string dotted = """{"_index":"logs-web","@timestamp":"2024-03-14T13:45:00.123Z","log.level":"WARN","log.logger":"web","message":"Slow request","service.name":"shop","host.hostname":"web-1","http.request.method":"get","http.response.status_code":504,"url.path":"/api/cart","event.duration":250000000,"event.dataset":"web.access","user.name":"alice","trace.id":"t-1","span.id":"s-1","client.ip":"10.0.0.7","organization.id":"acme","tags":["a","b"]}""";

        var events = new[] { nested, dotted }.Select(d => ParserRun.Of(d, RawFormat.Ecs).Single()).ToList();

        foreach (var e in events)
        {
            e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
            e.Level.Should().Be(LogLevels.Warning);
            e.Message.Should().Be("Slow request");
            e.Service.Should().Be("shop");
            e.Server.Should().Be("web-1");
            e.Method.Should().Be("GET");
            e.StatusCode.Should().Be(504);
            e.Endpoint.Should().Be("/api/cart");
            e.ResponseTimeMs.Should().Be(250);
            e.UserId.Should().Be("alice");
            e.TraceId.Should().Be("t-1");
            e.ClientIp.Should().Be("10.0.0.7");
            e.TenantId.Should().Be("acme");
            e.Extra.Should().Contain("index", "logs-web").And.Contain("span_id", "s-1").And.Contain("log.logger", "web")
                .And.Contain("event.dataset", "web.access").And.Contain("tags", """["a","b"]""");
        }
    }

    [Fact]
    public void A_document_without_a_level_is_read_like_a_text_line_as_a_file_shipper_sends_it()
    {
        var e = ParserRun.Of("""{"@timestamp":"2025-12-31T11:59:59Z","message":"2024-03-14 13:45:00,123 ERROR [main] Payment failed","log":{"file":{"path":"/var/log/app.log"}}}""", RawFormat.Ecs).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        e.Level.Should().Be(LogLevels.Error);
        e.Message.Should().Contain("Payment failed");
        e.Extra.Should().Contain("log.file.path", "/var/log/app.log");
    }

    [Fact]
    public void Plain_json_keys_and_a_container_line_map_as_json_keys_do()
    {
        var e = ParserRun.Of("""{"time":"2024-03-14T13:45:00Z","log":"card declined\n","level":"error","app":"billing","stream":"stderr"}""", RawFormat.Ecs).Single();

        e.Level.Should().Be(LogLevels.Error);
        e.Service.Should().Be("billing");
        e.Message.Should().Be("card declined\n");
        e.Extra.Should().Contain("stream", "stderr");
    }

    [Fact]
    public void A_document_that_is_not_json_is_a_failure_with_the_reason()
    {
        var run = ParserRun.Of("{\"message\": broken", RawFormat.Ecs);

        run.Events.Should().BeEmpty();
        run.Failures.Should().ContainSingle().Which.ErrorType.Should().Be(ParseErrorTypes.InvalidJson);
        LogParser.FormatFromName("ecs").Should().Be(RawFormat.Ecs);
    }
}
