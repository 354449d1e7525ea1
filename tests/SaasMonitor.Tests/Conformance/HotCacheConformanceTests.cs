using System.Threading.RateLimiting;
using SaasMonitor.Core.Caching;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What every hot cache (in process, Redis) and its rate-limit counts must do.</summary>
public abstract class HotCacheConformanceTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);

    protected abstract Task<IHotCache> CreateCacheAsync();

    protected abstract IRateLimits CreateLimits();

    [Fact]
    public async Task A_cached_value_is_returned_without_running_the_factory_again()
    {
        var cache = await CreateCacheAsync();
        var region = Region();
        var calls = 0;
        Task<string> Factory(CancellationToken _) => Task.FromResult($"value {++calls}");

        var first = await cache.GetOrCreateAsync(region, "k", Ttl, Factory, TestContext.Current.CancellationToken);
        var second = await cache.GetOrCreateAsync(region, "k", Ttl, Factory, TestContext.Current.CancellationToken);

        first.Should().Be("value 1");
        second.Should().Be("value 1");
        calls.Should().Be(1);
    }

    [Fact]
    public async Task Invalidating_a_region_drops_its_entries_and_leaves_other_regions()
    {
        var cache = await CreateCacheAsync();
        var (stats, other) = (Region(), Region());
        await cache.GetOrCreateAsync(stats, "k", Ttl, _ => Task.FromResult("old"), TestContext.Current.CancellationToken);
        await cache.GetOrCreateAsync(other, "k", Ttl, _ => Task.FromResult("kept"), TestContext.Current.CancellationToken);

        await cache.InvalidateRegionAsync(stats, TestContext.Current.CancellationToken);

        (await cache.GetOrCreateAsync(stats, "k", Ttl, _ => Task.FromResult("new"), TestContext.Current.CancellationToken)).Should().Be("new");
        (await cache.GetOrCreateAsync(other, "k", Ttl, _ => Task.FromResult("recomputed"), TestContext.Current.CancellationToken)).Should().Be("kept");
    }

    [Fact]
    public async Task Keys_are_separate_within_a_region()
    {
        var cache = await CreateCacheAsync();
        var region = Region();
        await cache.GetOrCreateAsync(region, "a", Ttl, _ => Task.FromResult(1), TestContext.Current.CancellationToken);

        (await cache.GetOrCreateAsync(region, "b", Ttl, _ => Task.FromResult(2), TestContext.Current.CancellationToken)).Should().Be(2);
    }

    [Fact]
    public async Task A_failing_factory_caches_nothing()
    {
        var cache = await CreateCacheAsync();
        var region = Region();
        var failing = () => cache.GetOrCreateAsync<string>(region, "k", Ttl, _ => throw new InvalidOperationException("engine down"), TestContext.Current.CancellationToken);

        await failing.Should().ThrowAsync<InvalidOperationException>();
        (await cache.GetOrCreateAsync(region, "k", Ttl, _ => Task.FromResult("recovered"), TestContext.Current.CancellationToken)).Should().Be("recovered");
    }

    [Fact]
    public async Task A_limit_grants_its_permits_in_a_window_then_refuses_with_the_wait_and_other_keys_count_apart()
    {
        var limits = CreateLimits();
        using var limiter = PartitionedRateLimiter.Create<string, string>(k => limits.FixedWindow(k, 3, TimeSpan.FromMinutes(1)));
        var key = Region();
        for (var i = 0; i < 3; i++)
        {
            using var granted = await limiter.AcquireAsync(key, cancellationToken: TestContext.Current.CancellationToken);
            granted.IsAcquired.Should().BeTrue($"attempt {i + 1} of 3 is within the limit");
        }

        using var refused = await limiter.AcquireAsync(key, cancellationToken: TestContext.Current.CancellationToken);
        refused.IsAcquired.Should().BeFalse("the fourth attempt in the window is over the limit");
        refused.TryGetMetadata(MetadataName.RetryAfter, out var wait).Should().BeTrue("a refusal says how long to wait");
        wait.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(1));
        using var other = await limiter.AcquireAsync(Region(), cancellationToken: TestContext.Current.CancellationToken);
        other.IsAcquired.Should().BeTrue("another key has a count of its own");
    }

    private static string Region() => "r" + Guid.NewGuid().ToString("N");
}
