namespace SaasMonitor.Core.Events;

/// <summary>
/// A parsed log record: the unit that is indexed, aggregated and shown.
/// <see cref="Id"/> is deterministic (derived from where the raw record sits on the bus),
/// so re-processing the same record overwrites instead of duplicating.
/// </summary>
public sealed record LogEvent
{
    public required string Id { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>One of <see cref="LogLevels.All"/>.</summary>
    public required string Level { get; init; }
    public string Message { get; init; } = "";
    /// <summary>The service or log type the event came from (api, database, web, ...).</summary>
    public string? Service { get; init; }
    public string? Server { get; init; }
    public string? Endpoint { get; init; }
    public string? Method { get; init; }
    public int? StatusCode { get; init; }
    public double? ResponseTimeMs { get; init; }
    public string? ClientIp { get; init; }
    public string? UserId { get; init; }
    public string? TenantId { get; init; }
    public string? TraceId { get; init; }
    /// <summary>Fields the record carried that have no column of their own.</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }
    /// <summary>The original line, as received.</summary>
    public string? Raw { get; init; }
    /// <summary>Who sent it: the source stamped at ingest (API key source, "upload", "http").</summary>
    public string? Source { get; init; }
    /// <summary>The uploaded file the event came from, if any.</summary>
    public string? FileId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
}
