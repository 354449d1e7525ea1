using System.Text.Json;
using StackExchange.Redis;

namespace SaasMonitor.EndToEnd;

/// <summary>The all-in-one with its hot cache in a real redis-server, which the test stops and starts again.</summary>
public sealed class RedisCacheTests : IAsyncLifetime
{
    /// <summary>Answers over fixed ranges, so recomputing them gives the same answer.</summary>
    private static readonly string[] KpiPaths =
    [
        "/api/charts/logs-per-hour?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z",
        "/api/charts/levels?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z",
        "/api/charts/status-codes?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z",
        "/api/charts/top-endpoints?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z",
    ];

    private readonly RedisTestServer _redis = new();
    private InProcessHost? _host;

    public async ValueTask InitializeAsync()
    {
        if (_redis.SkipReason is null)
        {
            _host = await InProcessHost.StartAsync("--SaasMonitor:Cache=Redis", $"--SaasMonitor:Redis:Configuration={_redis.Configuration}", "--SaasMonitor:Redis:Timeout=00:00:00.500");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _redis.Dispose();
    }

    [Fact]
    public async Task KPI_answers_are_cached_in_Redis_and_the_dashboard_keeps_answering_while_Redis_is_down_and_after_it_is_back()
    {
        if (_redis.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var host = _host!;
        (await host.IngestAsync(
            """
            {"timestamp":"2026-03-01T10:00:00Z","level":"ERROR","service":"api","endpoint":"/api/users","status":500,"response_time_ms":120}
            {"timestamp":"2026-03-01T10:05:00Z","level":"INFO","service":"web","endpoint":"/","status":200,"response_time_ms":8}
            """,
            "application/x-ndjson")).IsSuccessStatusCode.Should().BeTrue();
        await Eventually.HoldsAsync(async () => (await host.GetJsonAsync("/api/stats")).GetProperty("total_logs").GetInt64() == 2, TimeSpan.FromSeconds(30), "both events counted");
        var computed = await AnswersAsync(host);
        computed[1].Should().Contain("ERROR");
        (await AnswersAsync(host)).Should().Equal(computed, "the second answers come back from Redis as they were computed");
        using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration))
        {
            redis.GetServer(_redis.Configuration).Keys(pattern: "saasmon:kpi:*").Should().NotBeEmpty();
        }

        (await CacheHealthAsync(host)).Should().Be("healthy");

        _redis.Stop();
        (await AnswersAsync(host)).Should().Equal(computed, "with Redis down the answers come from the stores");
        var health = await host.GetJsonAsync("/api/health");
        health.GetProperty("status").GetString().Should().Be("degraded");
        health.GetProperty("checks").GetProperty("cache").GetProperty("status").GetString().Should().Be("degraded");

        _redis.Start();
        await Eventually.HoldsAsync(async () => await CacheHealthAsync(host) == "healthy", TimeSpan.FromSeconds(30), "the cache is healthy again");
        (await AnswersAsync(host)).Should().Equal(computed);
    }

    private static async Task<List<string>> AnswersAsync(InProcessHost host)
    {
        var answers = new List<string>();
        foreach (var path in KpiPaths)
        {
            answers.Add(JsonSerializer.Serialize(await host.GetJsonAsync(path)));
        }

        return answers;
    }

    private static async Task<string?> CacheHealthAsync(InProcessHost host) =>
        (await host.GetJsonAsync("/api/health")).GetProperty("checks").GetProperty("cache").GetProperty("status").GetString();
}
