using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using SaasMonitor.Core.Caching;
using SaasMonitor.Redis;
using SaasMonitor.Testing;
using StackExchange.Redis;

namespace SaasMonitor.Tests.Conformance;

/// <summary>The hot cache suite against a real redis-server started on a free loopback port, plus what only a shared cache does.</summary>
public sealed class RedisHotCacheTests(RedisTestServer redis) : HotCacheConformanceTests, IClassFixture<RedisTestServer>, IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);
    private readonly List<IConnectionMultiplexer> _clients = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    protected override Task<IHotCache> CreateCacheAsync() => Task.FromResult(Cache(redis));

    protected override IRateLimits CreateLimits() => Limits(redis, _clients);

    [Fact]
    public Task Two_processes_count_one_limit_together() => CountOneLimitTogetherAsync(redis, _clients);

    /// <summary>Three permits a minute, taken by two clients of <paramref name="server"/> (as two dashboard processes): the fourth is refused.</summary>
    internal static async Task CountOneLimitTogetherAsync(RedisTestServer server, List<IConnectionMultiplexer> clients)
    {
        using var first = Limiter(Limits(server, clients));
        using var second = Limiter(Limits(server, clients));
        var key = "k" + Guid.NewGuid().ToString("N");

        (await AcquiredAsync(first, key)).Should().BeTrue();
        (await AcquiredAsync(second, key)).Should().BeTrue();
        (await AcquiredAsync(first, key)).Should().BeTrue();

        (await AcquiredAsync(second, key)).Should().BeFalse("three of three permits were taken, two of them by the other process");
    }

    [Fact]
    public async Task While_redis_is_down_each_process_counts_its_own_limit_without_errors_and_sharing_resumes_when_it_is_back()
    {
        using var server = new RedisTestServer();
        SkipWithout(server);
        using var first = Limiter(Limits(server, _clients));
        using var second = Limiter(Limits(server, _clients));

        server.Stop();
        var key = "k" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 3; i++)
        {
            (await AcquiredAsync(first, key)).Should().BeTrue("a process alone still grants its permits");
        }

        (await AcquiredAsync(first, key)).Should().BeFalse("and still limits");

        server.Start();
        await Eventually.HoldsAsync(async () =>
        {
            var shared = "k" + Guid.NewGuid().ToString("N");
            for (var i = 0; i < 3; i++)
            {
                await AcquiredAsync(first, shared);
            }

            return !await AcquiredAsync(second, shared);
        }, TimeSpan.FromSeconds(30), "the count is shared again once Redis is back");
    }

    [Fact]
    public async Task An_invalidation_by_one_process_reaches_the_cache_of_another()
    {
        var (aggregator, dashboard) = (Cache(redis), Cache(redis));
        var region = Region();
        await dashboard.GetOrCreateAsync(region, "stats", Ttl, _ => Task.FromResult("before"), Ct);
        (await aggregator.GetOrCreateAsync(region, "stats", Ttl, _ => Task.FromResult("not computed"), Ct)).Should().Be("before", "the cache is shared");

        await aggregator.InvalidateRegionAsync(region, Ct);

        (await dashboard.GetOrCreateAsync(region, "stats", Ttl, _ => Task.FromResult("after"), Ct)).Should().Be("after");
    }

    [Fact]
    public async Task Concurrent_requests_for_one_missing_entry_run_the_factory_once()
    {
        var cache = Cache(redis);
        var region = Region();
        var release = new TaskCompletionSource();
        var calls = 0;
        async Task<int> Slow(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return 42;
        }

        var requests = Enumerable.Range(0, 20).Select(_ => cache.GetOrCreateAsync(region, "k", Ttl, Slow, Ct)).ToList();
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref calls) == 1), TimeSpan.FromSeconds(10), "the factory runs");
        release.SetResult();

        (await Task.WhenAll(requests)).Should().AllBeEquivalentTo(42);
        calls.Should().Be(1);
    }

    [Fact]
    public async Task Answers_shaped_as_the_dashboard_shapes_them_come_back_equal()
    {
        var cache = Cache(redis);
        var region = Region();
        var chart = new global::Dashboard.Web.ChartResponse<IReadOnlyList<Point>>(
            "minute", DateTimeOffset.UnixEpoch, null, [new("api", 12.5, double.NaN), new("web", 0, 1)]);
        await cache.GetOrCreateAsync(region, "chart", Ttl, _ => Task.FromResult(chart), Ct);

        var cached = await cache.GetOrCreateAsync(region, "chart", Ttl, _ => Task.FromResult(chart with { Granularity = "recomputed" }), Ct);

        cached.Should().BeEquivalentTo(chart);
    }

    [Fact]
    public async Task While_redis_is_down_answers_come_from_the_factory_without_errors_and_caching_resumes_when_it_is_back()
    {
        using var server = new RedisTestServer();
        SkipWithout(server);
        var cache = Cache(server);
        var region = Region();
        var calls = 0;
        Task<int> Count(CancellationToken _) => Task.FromResult(Interlocked.Increment(ref calls));
        (await cache.GetOrCreateAsync(region, "k", Ttl, Count, Ct)).Should().Be(1);

        server.Stop();
        (await cache.GetOrCreateAsync(region, "k", Ttl, Count, Ct)).Should().Be(2, "with Redis down every answer is computed");
        await cache.InvalidateRegionAsync(region, Ct);
        (await cache.GetOrCreateAsync(region, "k", Ttl, Count, Ct)).Should().Be(3);

        server.Start();
        await Eventually.HoldsAsync(async () =>
        {
            var first = await cache.GetOrCreateAsync(region, "k", Ttl, Count, Ct);
            return await cache.GetOrCreateAsync(region, "k", Ttl, Count, Ct) == first;
        }, TimeSpan.FromSeconds(30), "answers are cached again once Redis is back");
    }

    /// <summary>A cache on <paramref name="server"/> through a client of its own (as another process has), kept in <paramref name="clients"/> for disposal.</summary>
    internal static IHotCache Cache(RedisTestServer server, List<IConnectionMultiplexer> clients)
    {
        var (client, options) = Connect(server, clients);
        return new RedisHotCache(client, options, NullLogger<RedisHotCache>.Instance);
    }

    /// <summary>Rate-limit counts on <paramref name="server"/> through a client of its own, kept in <paramref name="clients"/> for disposal.</summary>
    internal static IRateLimits Limits(RedisTestServer server, List<IConnectionMultiplexer> clients)
    {
        var (client, options) = Connect(server, clients);
        return new RedisRateLimits(client, options, NullLogger<RedisRateLimits>.Instance);
    }

    private static (IConnectionMultiplexer Client, RedisOptions Options) Connect(RedisTestServer server, List<IConnectionMultiplexer> clients)
    {
        SkipWithout(server);
        var options = new RedisOptions { Configuration = server.Configuration, KeyPrefix = "test", Timeout = TimeSpan.FromMilliseconds(500) };
        var client = ConnectionMultiplexer.Connect(options.Client());
        clients.Add(client);
        return (client, options);
    }

    private static PartitionedRateLimiter<string> Limiter(IRateLimits limits) =>
        PartitionedRateLimiter.Create<string, string>(k => limits.FixedWindow(k, 3, TimeSpan.FromMinutes(1)));

    private static async Task<bool> AcquiredAsync(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = await limiter.AcquireAsync(key, cancellationToken: Ct);
        return lease.IsAcquired;
    }

    private IHotCache Cache(RedisTestServer server) => Cache(server, _clients);

    private static void SkipWithout(RedisTestServer server)
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    private static string Region() => "r" + Guid.NewGuid().ToString("N");

    public sealed record Point(string Service, double Value, double Ratio);
}

/// <summary>The hot cache suite against Garnet, Microsoft's Redis-compatible server, through the same adapter.</summary>
public sealed class GarnetHotCacheTests(GarnetTestServer garnet) : HotCacheConformanceTests, IClassFixture<GarnetTestServer>, IDisposable
{
    private readonly List<IConnectionMultiplexer> _clients = [];

    public void Dispose() => _clients.ForEach(c => c.Dispose());

    protected override Task<IHotCache> CreateCacheAsync() => Task.FromResult(RedisHotCacheTests.Cache(garnet, _clients));

    protected override IRateLimits CreateLimits() => RedisHotCacheTests.Limits(garnet, _clients);

    [Fact]
    public Task Two_processes_count_one_limit_together() => RedisHotCacheTests.CountOneLimitTogetherAsync(garnet, _clients);
}
