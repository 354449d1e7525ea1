using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Sinks.OpenTelemetry;

namespace SaasMonitor.Shippers;

/// <summary>OTLP/HTTP logs against the real OpenTelemetry .NET exporter and Serilog.Sinks.OpenTelemetry, and OTLP/JSON by its documented shape.</summary>
public sealed class OtlpInputTests : IAsyncLifetime
{
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await InProcessHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private Uri LogsEndpoint => new(_host.BaseAddress, "/v1/logs");

    [Fact]
    public async Task The_opentelemetry_exporter_over_http_protobuf_delivers_severity_rendered_messages_attributes_service_and_trace_ids()
    {
        var app = App();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        using (var factory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(otel =>
            {
                otel.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(app).AddAttributes([new("host.name", "otel-host")]));
                otel.AddOtlpExporter(o =>
                {
                    o.Endpoint = LogsEndpoint;
                    o.Protocol = OtlpExportProtocol.HttpProtobuf;
                });
            })))
        {
            var log = factory.CreateLogger("Shop.Orders");
            log.LogInformation("Order {OrderId} placed by {UserId}", 42, "alice");
            log.LogWarning("Stock low for {Sku}", "A-1");
            using (new System.Diagnostics.Activity("checkout").SetParentId(traceId, System.Diagnostics.ActivitySpanId.CreateRandom()).Start())
            {
                log.LogError(new InvalidOperationException("card declined"), "Payment failed for order {OrderId}", 42);
            }
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 3, TimeSpan.FromSeconds(30), "the three records searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        hits.Select(h => h.GetProperty("level").GetString()).Should().Equal("INFO", "WARNING", "ERROR");
        hits.Select(h => h.GetProperty("message").GetString()).Should().Equal("Order 42 placed by alice", "Stock low for A-1", "Payment failed for order 42");
        hits.Should().OnlyContain(h => h.GetProperty("timestamp").GetDateTimeOffset() >= before && h.GetProperty("server").GetString() == "otel-host"
            && h.GetProperty("source").GetString() == "otlp");
        hits[0].GetProperty("user_id").GetString().Should().Be("alice");
        var error = hits[2];
        error.GetProperty("trace_id").GetString().Should().Be(traceId.ToHexString());
        var extra = error.GetProperty("extra");
        extra.GetProperty("span_id").GetString().Should().HaveLength(16);
        extra.GetProperty("scope").GetString().Should().Be("Shop.Orders");
        extra.GetProperty("message_template").GetString().Should().Be("Payment failed for order {OrderId}");
        extra.GetProperty("exception.message").GetString().Should().Be("card declined");
        extra.GetProperty("exception.stacktrace").GetString().Should().Contain("System.InvalidOperationException: card declined");
    }

    [Fact]
    public async Task Serilog_Sinks_OpenTelemetry_delivers_its_events()
    {
        var app = App();
        using (var log = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.OpenTelemetry(o =>
            {
                o.Endpoint = LogsEndpoint.ToString();
                o.Protocol = OtlpProtocol.HttpProtobuf;
                o.ResourceAttributes = new Dictionary<string, object> { ["service.name"] = app };
            })
            .CreateLogger())
        {
            log.Debug("Cache warmed in {Elapsed} ms", 12);
            log.Fatal("Disk {Disk} full", "sda");
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "the two Serilog events searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        hits.Select(h => h.GetProperty("level").GetString()).Should().Equal("DEBUG", "CRITICAL");
        hits.Select(h => h.GetProperty("message").GetString()).Should().Equal("Cache warmed in 12 ms", "Disk sda full");
        hits[1].GetProperty("extra").GetProperty("Disk").GetString().Should().Be("sda");
    }

    [Fact]
    public async Task Otlp_json_is_taken_as_documented_and_a_body_that_is_not_an_export_request_is_refused_with_the_reason()
    {
        var app = App();
        var json = """
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"APP"}}]},
             "scopeLogs":[{"scope":{"name":"billing"},"logRecords":[
               {"timeUnixNano":"1710423900123000000","severityNumber":17,"severityText":"Error","body":{"stringValue":"card declined"},
                "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
                "attributes":[{"key":"http.response.status_code","value":{"intValue":"502"}},{"key":"http.route","value":{"stringValue":"/api/pay"}},
                              {"key":"retry","value":{"boolValue":true}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"doubleValue":1.5}]}}}]},
               {"observedTimeUnixNano":"1710423901000000000","severityText":"warn","body":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}}]}]}]}
            """.Replace("APP", app, StringComparison.Ordinal);
        using var answer = await PostAsync(Encoding.UTF8.GetBytes(json), "application/json");
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        (await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Be("{}");

        using var truncated = await PostAsync([0x0A, 0x20, 0x01], "application/x-protobuf");
        truncated.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await truncated.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("truncated");
        using var text = await PostAsync("hello"u8.ToArray(), "text/plain");
        text.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await text.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("application/x-protobuf");

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "the two JSON records searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        var first = hits[0];
        first.GetProperty("timestamp").GetDateTimeOffset().Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        first.GetProperty("level").GetString().Should().Be("ERROR");
        first.GetProperty("message").GetString().Should().Be("card declined");
        first.GetProperty("status_code").GetInt32().Should().Be(502);
        first.GetProperty("endpoint").GetString().Should().Be("/api/pay");
        first.GetProperty("trace_id").GetString().Should().Be("5b8efff798038103d269b633813fc60c");
        first.GetProperty("extra").GetProperty("retry").GetString().Should().Be("true");
        first.GetProperty("extra").GetProperty("tags").GetString().Should().Be("""["a",1.5]""");
        var second = hits[1];
        second.GetProperty("timestamp").GetDateTimeOffset().Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 1, TimeSpan.Zero));
        second.GetProperty("level").GetString().Should().Be("WARNING");
        JsonDocument.Parse(second.GetProperty("message").GetString()!).RootElement.GetProperty("k").GetString().Should().Be("v");
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        return await _host.Client.PostAsync("/v1/logs", content, TestContext.Current.CancellationToken);
    }

    private static string App() => "otel" + Guid.NewGuid().ToString("N")[..10];
}
