using System.ComponentModel.DataAnnotations;

namespace Dashboard.Web;

/// <summary>Configuration section "SaasMonitor:Dashboard".</summary>
public sealed class DashboardOptions
{
    public const string Section = "SaasMonitor:Dashboard";

    /// <summary>
    /// How long a KPI answer is kept in the hot cache at most. The aggregator invalidates the cache after every batch
    /// it applies, but only where the cache reaches it (the same process, or a shared cache such as Redis); elsewhere
    /// this bounds how stale a KPI can be. The all-in-one sets 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "SaasMonitor:Dashboard:KpiCacheTtl must be between 0 and 1 hour.")]
    public TimeSpan KpiCacheTtl { get; set; } = TimeSpan.FromSeconds(2);
}
