using System.Globalization;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Search;

namespace Dashboard.Web;

/// <summary>
/// The query-string of the search, export and chart endpoints:
/// q (Lucene syntax), level, service, endpoint, server (comma-separated or repeated), status (2xx,5xx),
/// file_id, from / to (ISO-8601, or relative: now-15m, now-24h, now-7d), sort (newest, oldest, slowest),
/// page, page_size, cursor.
/// </summary>
internal sealed record SearchParameters(SearchQuery Query, SearchSort Sort, int Page, int PageSize, string? Cursor)
{
    public const int DefaultPageSize = 50;

    public static SearchParameters From(HttpRequest request, DateTimeOffset now)
    {
        var q = request.Query;
        var query = new SearchQuery
        {
            Text = q["q"].ToString() is { Length: > 0 } text ? text : null,
            Levels = List(q["level"])?.Select(l => l.ToUpperInvariant()).ToList(),
            Services = List(q["service"]),
            Endpoints = List(q["endpoint"]),
            Servers = List(q["server"]),
            StatusClasses = List(q["status"])?.Select(StatusClass).ToList(),
            FileId = q["file_id"].ToString() is { Length: > 0 } f ? f : null,
            From = Time(q["from"].ToString(), now, "from"),
            To = Time(q["to"].ToString(), now, "to"),
        };
        var sort = q["sort"].ToString().ToLowerInvariant() switch
        {
            "" or "newest" or "desc" => SearchSort.NewestFirst,
            "oldest" or "asc" => SearchSort.OldestFirst,
            "slowest" => SearchSort.SlowestFirst,
            var other => throw new ArgumentException($"sort must be newest, oldest or slowest, not '{other}'."),
        };
        var page = Int(q["page"].ToString(), 1, "page");
        var pageSize = Int(q["page_size"].ToString(), DefaultPageSize, "page_size");
        if (page < 1 || pageSize < 1 || pageSize > SearchRequest.MaxSize)
        {
            throw new ArgumentException($"page must be 1 or more and page_size between 1 and {SearchRequest.MaxSize}.");
        }

        var cursor = q["cursor"].ToString() is { Length: > 0 } c ? c : null;
        if (cursor is null && page * pageSize > SearchRequest.MaxFromPlusSize)
        {
            throw new ArgumentException($"Pages reach only the first {SearchRequest.MaxFromPlusSize} hits; beyond that follow next_cursor.");
        }

        return new SearchParameters(query, sort, page, pageSize, cursor);
    }

    public SearchRequest ToRequest() => new(Query)
    {
        Sort = Sort,
        Size = PageSize,
        From = Cursor is null ? (Page - 1) * PageSize : 0,
        After = Cursor,
    };

    /// <summary>The filters as saved with a search or written to the search history.</summary>
    public IReadOnlyDictionary<string, string> Filters()
    {
        var d = new Dictionary<string, string>();
        void Add(string key, IEnumerable<string>? values)
        {
            if (values is not null && values.Any())
            {
                d[key] = string.Join(',', values);
            }
        }

        Add("level", Query.Levels);
        Add("service", Query.Services);
        Add("endpoint", Query.Endpoints);
        Add("server", Query.Servers);
        Add("status", Query.StatusClasses?.Select(s => $"{s}xx"));
        Add("file_id", Query.FileId is { } fileId ? [fileId] : null);
        Add("from", Query.From is { } from ? [from.ToString("O", CultureInfo.InvariantCulture)] : null);
        Add("to", Query.To is { } to ? [to.ToString("O", CultureInfo.InvariantCulture)] : null);
        return d;
    }

    private static List<string>? List(Microsoft.Extensions.Primitives.StringValues values)
    {
        var list = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return list.Count == 0 ? null : list;
    }

    private static int StatusClass(string s)
    {
        var digit = s.Length > 0 ? s[0] - '0' : -1;
        if (digit is < 1 or > 5 || (s.Length > 1 && !s.Equals($"{digit}xx", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"status takes classes such as 2xx, 4xx, 5xx (or 2, 4, 5), not '{s}'.");
        }

        return digit;
    }

    private static int Int(string s, int fallback, string name) =>
        s.Length == 0 ? fallback
        : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : throw new ArgumentException($"{name} must be a whole number, not '{s}'.");

    /// <summary>ISO-8601 (no zone = UTC), or now, now-30s, now-15m, now-24h, now-7d.</summary>
    internal static DateTimeOffset? Time(string s, DateTimeOffset now, string name)
    {
        if (s.Length == 0)
        {
            return null;
        }

        if (s.StartsWith("now", StringComparison.OrdinalIgnoreCase))
        {
            var rest = s.AsSpan(3);
            if (rest.IsEmpty)
            {
                return now;
            }

            if (rest[0] == '-' && rest.Length >= 3 && int.TryParse(rest[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                TimeSpan? span = char.ToLowerInvariant(rest[^1]) switch
                {
                    's' => TimeSpan.FromSeconds(n),
                    'm' => TimeSpan.FromMinutes(n),
                    'h' => TimeSpan.FromHours(n),
                    'd' => TimeSpan.FromDays(n),
                    _ => null,
                };
                if (span is { } ago)
                {
                    return now - ago;
                }
            }
        }
        else if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        throw new ArgumentException($"{name} must be an ISO-8601 time or now-<n><s|m|h|d>, not '{s}'.");
    }
}
