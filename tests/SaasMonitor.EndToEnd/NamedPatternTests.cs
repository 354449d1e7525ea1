using System.Net;
using Microsoft.Extensions.Options;

namespace SaasMonitor.EndToEnd;

/// <summary>Named patterns from configuration: applied to the lines of their source only, and checked before the server starts.</summary>
public sealed class NamedPatternTests
{
    private const string Line = "shop7|2024-03-14 13:45:07.250|ERROR|GET /api/orders/881|took 412ms|user=u-17|payment provider slow";

    [Fact]
    public async Task Lines_of_a_source_configured_with_a_named_pattern_are_searchable_by_the_fields_it_captures()
    {
        await using var host = await InProcessHost.StartAsync(
            @"--SaasMonitor:Parsing:Patterns:SHOP=%{HOSTNAME:host}\|%{TIMESTAMP_ISO8601:timestamp}\|%{LOGLEVEL:level}\|%{WORD:method} %{URIPATH:endpoint}\|took %{NUMBER:response_time_ms}ms\|user=%{USER:user_id}\|%{GREEDYDATA:message}",
            "--SaasMonitor:Parsing:Sources:shop:Pattern=SHOP");

        foreach (var source in new[] { "shop", "elsewhere" })
        {
            using var content = new StringContent(Line);
            content.Headers.ContentType = new("text/plain");
            using var response = await host.Client.PostAsync($"/api/ingest?source={source}", content, TestContext.Current.CancellationToken);
            response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await Eventually.HoldsAsync(async () => await host.TotalAsync("") == 2, TimeSpan.FromSeconds(30), "both lines searchable");
        var hit = (await host.GetJsonAsync("/api/search?q=" + Uri.EscapeDataString("user_id:\"u-17\""))).GetProperty("hits").EnumerateArray().Should().ContainSingle().Subject;
        hit.GetProperty("source").GetString().Should().Be("shop", "only the configured source's line is read with the pattern");
        hit.GetProperty("endpoint").GetString().Should().Be("/api/orders/{id}");
        hit.GetProperty("server").GetString().Should().Be("shop7");
        hit.GetProperty("response_time_ms").GetDouble().Should().Be(412);
        hit.GetProperty("message").GetString().Should().Be("payment provider slow");
    }

    [Fact]
    public async Task A_pattern_that_cannot_be_used_stops_the_server_at_start_with_the_reason()
    {
        var start = () => InProcessHost.StartAsync("--SaasMonitor:Parsing:Patterns:SHOP=%{HOSTNAME:host} (unclosed", "--SaasMonitor:Parsing:Sources:shop:Pattern=SHOP");

        var refused = await start.Should().ThrowAsync<OptionsValidationException>();

        refused.Which.Failures.Should().ContainSingle().Which.Should()
            .StartWith("SaasMonitor:Parsing:Patterns:SHOP cannot be used: it is not a regular expression once expanded");
    }
}
