using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Caching;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Hosting;
using SaasMonitor.Tests.Conformance;
using SaasMonitor.Tests.Search;

namespace SaasMonitor.Tests.Hosting;

/// <summary>
/// The dashboard keeps KPI answers until the aggregator invalidates them, which only an aggregator in the same
/// process can do; otherwise answers expire within 2 s.
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
    [InlineData(new[] { PipelineModule.Dashboard, PipelineModule.Aggregator }, 30)]
    [InlineData(new[] { PipelineModule.Dashboard }, 2)]
    public async Task Stats_are_kept_until_invalidated_only_when_the_aggregator_runs_in_this_process(string[] modules, int seconds)
    {
        await Kpis(modules).StatsAsync(_search, Ct);

        _cache.Ttls.Should().Equal(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData(new[] { PipelineModule.Dashboard, PipelineModule.Aggregator }, 5)]
    [InlineData(new[] { PipelineModule.Dashboard }, 2)]
    public async Task Charts_over_a_range_relative_to_now_are_kept_at_most_5_s_and_2_s_without_a_local_aggregator(string[] modules, int seconds)
    {
        var request = new DefaultHttpContext().Request;

        await Kpis(modules).ChartAsync(request, "levels-per-hour", TimeSpan.FromHours(24), null, w => w.Count, Ct);

        _cache.Ttls.Should().Equal(TimeSpan.FromSeconds(seconds));
    }

    private global::Dashboard.Web.Kpis Kpis(string[] modules) =>
        new(_database.Open(o => new SqliteKpiStore(o)), _cache, TimeProvider.System, [.. modules.Select(m => new PipelineModule(m))]);

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
