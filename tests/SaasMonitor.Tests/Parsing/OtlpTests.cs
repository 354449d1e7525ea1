using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class OtlpTests
{
    [Theory]
    [InlineData(1, LogLevels.Debug)]
    [InlineData(5, LogLevels.Debug)]
    [InlineData(9, LogLevels.Info)]
    [InlineData(13, LogLevels.Warning)]
    [InlineData(17, LogLevels.Error)]
    [InlineData(21, LogLevels.Critical)]
    public void Severity_numbers_map_by_their_ranges(int number, string expected) =>
        ParserRun.Of($$"""{"severity_number":{{number}},"severity_text":"ignored","body":"x"}""", RawFormat.Otlp).Single().Level.Should().Be(expected);

    [Fact]
    public void A_record_without_a_number_takes_its_severity_text_and_without_a_time_its_observed_time()
    {
        var e = ParserRun.Of("""{"observed_time_unix_nano":"1710423900123456789","severity_text":"WARN","body":"late","attributes":{},"resource":{}}""", RawFormat.Otlp).Single();

        e.Level.Should().Be(LogLevels.Warning);
        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero).AddTicks(4567));
    }

    [Fact]
    public void Semantic_convention_attributes_fill_the_event_and_a_template_body_is_rendered()
    {
        var e = ParserRun.Of(
            """{"time_unix_nano":"1710423900000000000","severity_number":9,"body":"Served {Path} in {Ms} ms","trace_id":"ab","span_id":"cd","scope":"Web","attributes":{"Path":"/api/users/7","Ms":12,"http.request.method":"GET","http.response.status_code":200,"url.path":"/api/users/7","client.address":"10.0.0.1","enduser.id":"u1","{OriginalFormat}":"Served {Path} in {Ms} ms"},"resource":{"service.name":"web","host.name":"h1","deployment.environment":"prod"}}""",
            RawFormat.Otlp).Single();

        e.Message.Should().Be("Served /api/users/7 in 12 ms");
        e.Service.Should().Be("web");
        e.Server.Should().Be("h1");
        e.Method.Should().Be("GET");
        e.StatusCode.Should().Be(200);
        e.Endpoint.Should().Be("/api/users/{id}");
        e.ClientIp.Should().Be("10.0.0.1");
        e.UserId.Should().Be("u1");
        e.TraceId.Should().Be("ab");
        e.Extra.Should().Contain("span_id", "cd").And.Contain("scope", "Web").And.Contain("deployment.environment", "prod")
            .And.Contain("message_template", "Served {Path} in {Ms} ms").And.NotContainKey("{OriginalFormat}");
        LogParser.FormatFromName("otlp").Should().Be(RawFormat.Otlp);
    }
}
