namespace SaasMonitor.EndToEnd;

/// <summary>saasmon --demo-rate: the generator's traffic flows through the whole pipeline and looks like a SaaS product's.</summary>
public sealed class DemoTrafficTests
{
    private static readonly string[] Services = ["api", "auth", "payments", "web", "search", "reports"];

    [Fact]
    public async Task The_demo_generator_produces_searchable_events_of_several_services_levels_and_status_classes()
    {
        await using var host = await InProcessHost.StartAsync("--demo-rate", "200");

        var seen = new HashSet<string>();
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var facet in Services.Select(s => "service=" + s)
                    .Concat(["level=INFO", "level=WARNING", "status=2xx", "status=4xx", "status=5xx"])
                    .Where(f => !seen.Contains(f)))
                {
                    if (await host.TotalAsync(facet) > 0)
                    {
                        seen.Add(facet);
                    }
                }

                return await host.TotalAsync("") >= 200
                    && seen.Count(f => f.StartsWith("service=", StringComparison.Ordinal)) >= 4
                    && seen.Contains("level=INFO") && seen.Contains("level=WARNING")
                    && seen.Contains("status=2xx") && seen.Contains("status=4xx") && seen.Contains("status=5xx");
            },
            TimeSpan.FromSeconds(30),
            "200 demo events of at least 4 services, INFO and WARNING, 2xx, 4xx and 5xx");

        var hit = (await host.GetJsonAsync("/api/search?page_size=1")).GetProperty("hits")[0];
        hit.GetProperty("source").GetString().Should().Be("demo");
        hit.GetProperty("timestamp").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }
}
