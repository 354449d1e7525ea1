using System.Globalization;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Conformance;

/// <summary>Builders of log events for search tests: a realistic default, varied with <c>with { ... }</c>.</summary>
public static class SearchTestEvents
{
    /// <summary>Midnight UTC of the first day the search tests use.</summary>
    public static readonly DateTimeOffset Day1 = new(2024, 3, 10, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A served API request: INFO, api on web-01, GET /api/health, 200 in 12 ms.</summary>
    public static LogEvent Event(string id, DateTimeOffset at) => new()
    {
        Id = id,
        Timestamp = at,
        Level = LogLevels.Info,
        Message = "request served",
        Service = "api",
        Server = "web-01",
        Endpoint = "/api/health",
        Method = "GET",
        StatusCode = 200,
        ResponseTimeMs = 12,
        ClientIp = "10.0.0.7",
        UserId = "user-1",
        TenantId = "tenant-a",
        Source = "upload",
        ReceivedAt = at.AddMilliseconds(250),
    };

    /// <summary>
    /// Six events five minutes apart from 10:00 on <see cref="Day1"/>, one per kind of question the tests ask.
    /// Slowest first: e5, e2, e1, e3, e6, then e4 (no response time).
    /// </summary>
    public static IReadOnlyList<LogEvent> Catalogue()
    {
        var at = Day1.AddHours(10);
        return
        [
            Event("e1", at) with { Endpoint = "/api/users", ResponseTimeMs = 45, Message = "User list served" },
            Event("e2", at.AddMinutes(5)) with
            {
                Level = LogLevels.Error, Server = "web-02", Method = "POST", Endpoint = "/api/users", StatusCode = 500,
                ResponseTimeMs = 1500, Message = "Database timeout while saving user", TraceId = "trace-2",
                Extra = new Dictionary<string, string> { ["region"] = "eu-west-1" }, Raw = "raw line of e2",
            },
            Event("e3", at.AddMinutes(10)) with { Level = LogLevels.Warning, Service = "web", Endpoint = "/login", StatusCode = 404, Message = "Page not found" },
            Event("e4", at.AddMinutes(15)) with
            {
                Level = LogLevels.Error, Service = "database", Server = "db-01", Endpoint = null, Method = null,
                StatusCode = null, ResponseTimeMs = null, Message = "Connection refused by replica",
            },
            Event("e5", at.AddMinutes(20)) with
            {
                Level = LogLevels.Critical, Server = "web-02", Endpoint = "/api/orders", StatusCode = 503,
                ResponseTimeMs = 2500, Message = "Upstream timeout from payment gateway", FileId = "file-1",
            },
            Event("e6", at.AddMinutes(25)) with
            {
                Level = LogLevels.Debug, Endpoint = "/api/users/42", ResponseTimeMs = 5, Message = "cache hit for user 42", FileId = "file-1",
            },
        ];
    }

    /// <summary>
    /// <paramref name="count"/> events from <paramref name="start"/>, <paramref name="perTimestamp"/> sharing each
    /// millisecond (so sorts must break ties by id); ids are "ev-" and a zero-padded number.
    /// </summary>
    public static IReadOnlyList<LogEvent> Many(int count, DateTimeOffset start, TimeSpan step, int perTimestamp = 1)
    {
        var events = new LogEvent[count];
        for (var i = 0; i < count; i++)
        {
            events[i] = Event("ev-" + i.ToString("D6", CultureInfo.InvariantCulture), start + (step * (i / perTimestamp))) with
            {
                ResponseTimeMs = i % 7 == 0 ? null : i % 500,
                StatusCode = (i % 3) switch { 0 => 200, 1 => 404, _ => 500 },
            };
        }

        return events;
    }
}
