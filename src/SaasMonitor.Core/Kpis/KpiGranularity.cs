namespace SaasMonitor.Core.Kpis;

/// <summary>The length of a KPI window.</summary>
public enum KpiGranularity
{
    Minute,
    Hour,
    Day,
}

public static class KpiGranularityExtensions
{
    /// <summary>The start (UTC) of the window of this granularity that holds <paramref name="time"/>.</summary>
    public static DateTimeOffset WindowStart(this KpiGranularity granularity, DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % granularity.Length().Ticks), TimeSpan.Zero);
    }

    public static TimeSpan Length(this KpiGranularity granularity) => granularity switch
    {
        KpiGranularity.Minute => TimeSpan.FromMinutes(1),
        KpiGranularity.Hour => TimeSpan.FromHours(1),
        KpiGranularity.Day => TimeSpan.FromDays(1),
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, null),
    };
}
