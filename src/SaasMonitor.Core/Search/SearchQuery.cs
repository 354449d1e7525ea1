using SaasMonitor.Core.Events;

namespace SaasMonitor.Core.Search;

/// <summary>
/// A log search: Lucene query syntax in <see cref="Text"/> (empty means all events) plus structured filters.
/// Each filter list matches any of its values; different filters must all match.
/// </summary>
public sealed record SearchQuery
{
    /// <summary>Lucene syntax over the fields of <see cref="LogFields"/>; bare words search message, endpoint and server.</summary>
    public string? Text { get; init; }
    public IReadOnlyList<string>? Levels { get; init; }
    public IReadOnlyList<string>? Services { get; init; }
    public IReadOnlyList<string>? Endpoints { get; init; }
    public IReadOnlyList<string>? Servers { get; init; }
    /// <summary>Status classes by first digit: 2 for 2xx, 4 for 4xx, 5 for 5xx.</summary>
    public IReadOnlyList<int>? StatusClasses { get; init; }
    public string? FileId { get; init; }
    /// <summary>Inclusive lower bound of the event time.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Exclusive upper bound of the event time.</summary>
    public DateTimeOffset? To { get; init; }
}

public enum SearchSort
{
    NewestFirst,
    OldestFirst,
    SlowestFirst,
}

/// <summary>
/// One page of hits. Use <see cref="From"/> for the first 10,000 hits, or <see cref="After"/>
/// (the <see cref="SearchPage.NextCursor"/> of the previous page) to walk any number of hits.
/// </summary>
public sealed record SearchRequest(SearchQuery Query)
{
    public SearchSort Sort { get; init; } = SearchSort.NewestFirst;
    public int Size { get; init; } = 50;
    public int From { get; init; }
    public string? After { get; init; }

    public const int MaxSize = 1000;
    public const int MaxFromPlusSize = 10_000;

    /// <summary>Refuses a page every store refuses: a size or offset past the limits, or an offset with a cursor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The page is outside the limits.</exception>
    public void ThrowIfOutOfBounds()
    {
        ArgumentNullException.ThrowIfNull(Query);
        if (Size is < 0 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(Size), Size, $"Size must be between 0 and {MaxSize}.");
        }

        if (From < 0 || From + Size > MaxFromPlusSize)
        {
            throw new ArgumentOutOfRangeException(nameof(From), From, $"From must be at least 0 and From + Size at most {MaxFromPlusSize}; use the cursor (After) to go further.");
        }

        if (After is not null && From != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(From), From, "From must be 0 when a cursor (After) is given.");
        }
    }
}

public sealed record SearchPage(long Total, IReadOnlyList<LogEvent> Hits, string? NextCursor);

public readonly record struct TermCount(string Term, long Count);

public readonly record struct TimeBucket(DateTimeOffset Start, long Count);

/// <summary>Fields that can be searched, filtered and aggregated; names follow the reference index mapping.</summary>
public static class LogFields
{
    public const string Timestamp = "@timestamp";
    public const string Level = "level";
    public const string Message = "message";
    public const string Service = "service";
    public const string Server = "server";
    public const string Endpoint = "endpoint";
    public const string Method = "method";
    public const string StatusCode = "status_code";
    public const string ResponseTimeMs = "response_time_ms";
    public const string ClientIp = "client_ip";
    public const string UserId = "user_id";
    public const string TenantId = "tenant_id";
    public const string TraceId = "trace_id";
    public const string Source = "source";
    public const string FileId = "file_id";

    /// <summary>Fields matched exactly (not analysed).</summary>
    public static readonly IReadOnlyList<string> Keywords =
        [Level, Service, Server, Endpoint, Method, ClientIp, UserId, TenantId, TraceId, Source, FileId];
}

/// <summary>The query text is not valid Lucene syntax, or names a field that cannot be searched.</summary>
public sealed class InvalidQueryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The search store could not be reached or did not answer in time; the request may succeed later.</summary>
public sealed class SearchUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
