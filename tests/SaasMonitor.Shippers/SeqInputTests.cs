using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serilog;

namespace SaasMonitor.Shippers;

/// <summary>Seq's ingestion endpoint against the real Serilog.Sinks.Seq client, configured as it would be for Seq.</summary>
public sealed class SeqInputTests : IAsyncLifetime
{
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await InProcessHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Serilog_Sinks_Seq_delivers_levels_timestamps_rendered_messages_and_an_exception_as_one_event()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var log = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.WithProperty("Application", "seqshop")
            .WriteTo.Seq(_host.Client.BaseAddress!.ToString())
            .CreateLogger())
        {
            log.Information("Order {OrderId} placed by {User}", 42, "alice");
            log.Warning("Stock low for {Sku}", "A-1");
            try
            {
                throw new InvalidOperationException("card declined");
            }
            catch (InvalidOperationException ex)
            {
                log.Error(ex, "Payment failed for order {OrderId}", 42);
            }
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=seqshop") == 3, TimeSpan.FromSeconds(30), "the three events searchable");
        var hits = (await _host.GetJsonAsync("/api/search?service=seqshop&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        hits.Select(h => h.GetProperty("level").GetString()).Should().Equal("INFO", "WARNING", "ERROR");
        hits.Select(h => h.GetProperty("message").GetString()).Should().Equal("Order 42 placed by alice", "Stock low for A-1", "Payment failed for order 42");
        hits.Should().OnlyContain(h => h.GetProperty("timestamp").GetDateTimeOffset() >= before && h.GetProperty("timestamp").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        var extra = hits[2].GetProperty("extra");
        extra.GetProperty("exception").GetString().Should().Contain("System.InvalidOperationException: card declined")
            .And.Contain(nameof(Serilog_Sinks_Seq_delivers_levels_timestamps_rendered_messages_and_an_exception_as_one_event));
        extra.GetProperty("message_template").GetString().Should().Be("Payment failed for order {OrderId}");
        extra.GetProperty("OrderId").GetString().Should().Be("42");
    }

    [Fact]
    public async Task An_api_key_given_to_the_sink_is_an_ingest_key_that_decides_the_source()
    {
        using var created = await _host.Client.PostAsJsonAsync("/api/ingest-keys", new { name = "serilog", source = "seq-keyed" });
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString();
        using (var log = new LoggerConfiguration().WriteTo.Seq(_host.Client.BaseAddress!.ToString(), apiKey: key).CreateLogger())
        {
            log.Information("Keyed {Kind}", "event");
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("q=" + Uri.EscapeDataString("source:\"seq-keyed\"")) == 1, TimeSpan.FromSeconds(30), "the keyed event searchable under the key's source");
    }

    [Fact]
    public async Task The_endpoint_answers_as_seq_does_and_refuses_a_body_that_is_too_large_with_a_reason()
    {
        using var ok = new StringContent("""{"@t":"2024-03-14T13:45:00Z","@mt":"hello {Name}","Name":"seq","Application":"seqanswer"}""");
        ok.Headers.ContentType = new("application/vnd.serilog.clef");
        using var answer = await _host.Client.PostAsync("/api/events/raw?clef", ok);
        answer.StatusCode.Should().Be(HttpStatusCode.Created);
        JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.TryGetProperty("MinimumLevelAccepted", out _).Should().BeTrue();

        using var big = new StringContent(new string('x', 17 * 1024 * 1024));
        using var refused = await _host.Client.PostAsync("/api/events/raw", big);
        refused.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("limit");
    }
}
