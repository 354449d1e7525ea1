using System.Globalization;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace Dashboard.Web.Components;

/// <summary>A column the search page's results can show; each user chooses theirs (kept in the browser).</summary>
internal sealed record ResultColumn(string Key, string Header, string? Width, Func<LogEvent, string?> Value)
{
    public static readonly IReadOnlyList<ResultColumn> All =
    [
        new(LogFields.Timestamp, "Time (UTC)", "width: 13.5rem", e => e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)),
        new(LogFields.Level, "Level", "width: 7rem", e => e.Level),
        new(LogFields.Service, "Service", "width: 9rem", e => e.Service),
        new(LogFields.Server, "Server", "width: 9rem", e => e.Server),
        new(LogFields.Method, "Method", "width: 5rem", e => e.Method),
        new(LogFields.Endpoint, "Endpoint", "width: 12rem", e => e.Endpoint),
        new(LogFields.StatusCode, "Status", "width: 5rem", e => e.StatusCode?.ToString(CultureInfo.InvariantCulture)),
        new(LogFields.ResponseTimeMs, "Time (ms)", "width: 6rem", e => e.ResponseTimeMs?.ToString("0.#", CultureInfo.InvariantCulture)),
        new(LogFields.ClientIp, "Client IP", "width: 9rem", e => e.ClientIp),
        new(LogFields.UserId, "User", "width: 8rem", e => e.UserId),
        new(LogFields.TenantId, "Tenant", "width: 8rem", e => e.TenantId),
        new(LogFields.TraceId, "Trace", "width: 10rem", e => e.TraceId),
        new(LogFields.Source, "Source", "width: 7rem", e => e.Source),
        new(LogFields.Message, "Message", null, e => Shorten(e.Message)),
    ];

    public static readonly IReadOnlyCollection<string> Defaults =
        [LogFields.Timestamp, LogFields.Level, LogFields.Service, LogFields.Endpoint, LogFields.StatusCode, LogFields.Message];

    /// <summary>The known column keys in a comma-separated list, in the table's order; empty for none or null.</summary>
    public static IReadOnlyCollection<string> Parse(string? keys)
    {
        var given = (keys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. All.Select(c => c.Key).Where(given.Contains)];
    }

    /// <summary>The first 300 characters of a message, for a line of a list.</summary>
    public static string Shorten(string message) => message.Length > 300 ? message[..300] + "…" : message;

    /// <summary>The cell's class: one line each, so every row has the same height; the message in monospace.</summary>
    public string CellClass => Key == LogFields.Message ? "result-cell log-message" : "result-cell";
}
