using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Caching;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Tests.Conformance;
using SaasMonitor.Tests.Search;

namespace SaasMonitor.Tests.Hosting;

/// <summary>
/// The dashboard keeps KPI answers until the aggregator invalidates them, and at most for its KpiCacheTtl: 2 s unless
/// the host says otherwise (the all-in-one, whose aggregator shares the cache, says 30 s).
/// </summary>
public sealed class KpiCacheTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private readonly TempIndexFolder _folder = new();
    private readonly LuceneSearchStore _search;
    private readonly RecordingCache _cache = new();

    public KpiCacheTests() => _search = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path, ReadOnly = true });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _search.Dispose();
        _database.Dispose();
        _folder.Dispose();
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(null, 2)]
    public async Task Stats_are_kept_as_long_as_the_configured_KPI_cache_ttl_and_2_s_by_default(int? configured, int seconds)
    {
        await Kpis(configured).StatsAsync(_search, Ct);

        _cache.Ttls.Should().Equal(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData(30, 5)]
    [InlineData(null, 2)]
    public async Task Charts_over_a_range_relative_to_now_are_kept_at_most_5_s_and_never_past_the_ttl(int? configured, int seconds)
    {
        var request = new DefaultHttpContext().Request;

        await Kpis(configured).ChartAsync(request, "levels-per-hour", TimeSpan.FromHours(24), null, w => w.Count, Ct);

        _cache.Ttls.Should().Equal(TimeSpan.FromSeconds(seconds));
    }

    private global::Dashboard.Web.Kpis Kpis(int? ttlSeconds)
    {
        var options = new global::Dashboard.Web.DashboardOptions();
        if (ttlSeconds is { } s)
        {
            options.KpiCacheTtl = TimeSpan.FromSeconds(s);
        }

        return new(_database.Open(o => new SqliteKpiStore(o)), _cache, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(options));
    }

    /// <summary>Computes every answer and records how long it was asked to be kept.</summary>
    private sealed class RecordingCache : IHotCache
    {
        public List<TimeSpan> Ttls { get; } = [];

        public Task<T> GetOrCreateAsync<T>(string region, string key, TimeSpan ttl, Func<CancellationToken, Task<T>> factory, CancellationToken ct)
        {
            Ttls.Add(ttl);
            return factory(ct);
        }

        public Task InvalidateRegionAsync(string region, CancellationToken ct) => Task.CompletedTask;
    }
}
