namespace SaasMonitor.Core.Caching;

/// <summary>
/// Hot cache for dashboard answers. Entries are grouped in regions (e.g. "stats"); invalidating a region
/// drops every entry in it at once, which is how fresh KPI windows reach the dashboard.
/// Implemented in process and by Redis.
/// </summary>
public interface IHotCache
{
    Task<T> GetOrCreateAsync<T>(string region, string key, TimeSpan ttl, Func<CancellationToken, Task<T>> factory, CancellationToken ct);

    Task InvalidateRegionAsync(string region, CancellationToken ct);
}

/// <summary>Cache regions shared by the modules that fill and invalidate them.</summary>
public static class CacheRegions
{
    /// <summary>Everything computed from KPI windows; the aggregator invalidates it after every batch it applies.</summary>
    public const string Kpi = "kpi";
}
