using SaasMonitor.Core.Events;

namespace SaasMonitor.Core.Kpis;

/// <summary>
/// What KPI windows are split by. "" stands for a missing service or endpoint, 0 for no status code. The events of an
/// uploaded file are counted in windows of their own (<see cref="FileId"/>; "" for events that arrived otherwise), so
/// deleting the file removes exactly what it contributed; readers merge windows across files.
/// </summary>
public readonly record struct KpiKey(string Service, string Endpoint, string Level, int StatusCode, string FileId = "")
{
    public static KpiKey Of(LogEvent e) => new(e.Service ?? "", e.Endpoint ?? "", e.Level, e.StatusCode ?? 0, e.FileId ?? "");
}

/// <summary>The counts and response-time distribution of one key over one time window.</summary>
public sealed class KpiWindow
{
    public required KpiGranularity Granularity { get; init; }
    /// <summary>UTC start of the window.</summary>
    public required DateTimeOffset Start { get; init; }
    public required KpiKey Key { get; init; }
    public long Count { get; set; }
    /// <summary>Events whose level counts as an error (<see cref="LogLevels.IsError"/>).</summary>
    public long Errors { get; set; }
    /// <summary>Events that carried a response time.</summary>
    public long ResponseCount { get; set; }
    public double ResponseSumMs { get; set; }
    public double ResponseMaxMs { get; set; }
    public LatencySketch Latency { get; set; } = new();

    /// <summary>Counts an event; the caller has checked that it belongs to this window and key.</summary>
    public void Add(LogEvent e)
    {
        Count++;
        if (LogLevels.IsError(e.Level))
        {
            Errors++;
        }

        if (e.ResponseTimeMs is { } ms)
        {
            ResponseCount++;
            ResponseSumMs += ms;
            ResponseMaxMs = ResponseCount == 1 ? ms : Math.Max(ResponseMaxMs, ms);
            Latency.Add(ms);
        }
    }

    public void Merge(KpiWindow other)
    {
        Count += other.Count;
        Errors += other.Errors;
        if (other.ResponseCount > 0)
        {
            ResponseMaxMs = ResponseCount == 0 ? other.ResponseMaxMs : Math.Max(ResponseMaxMs, other.ResponseMaxMs);
            ResponseCount += other.ResponseCount;
            ResponseSumMs += other.ResponseSumMs;
        }

        Latency.Merge(other.Latency);
    }
}

/// <summary>Distinct users of one service over one time window.</summary>
public sealed class UserWindow
{
    public required KpiGranularity Granularity { get; init; }
    /// <summary>UTC start of the window.</summary>
    public required DateTimeOffset Start { get; init; }
    /// <summary>"" for events with no service.</summary>
    public required string Service { get; init; }
    /// <summary>The uploaded file whose users these are, "" for events that arrived otherwise (see <see cref="KpiKey.FileId"/>).</summary>
    public string FileId { get; init; } = "";
    public DistinctCounter Users { get; set; } = new();
}
