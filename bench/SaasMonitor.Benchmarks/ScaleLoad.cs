using System.Diagnostics;
using System.Globalization;
using Dashboard.Web;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Cache;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Search and KPI latency at scale (DESIGN §7: 10M events): fills the embedded search store and KPI store directly
/// with N generated events spread over 7 days, then times searches (p50/p99 over repeated runs) and the dashboard's
/// KPI read (cold: a freshly opened store; warm: repeated) and the overview page's figures, and reports the process's memory.
/// Usage: scale [--events N] [--kpis-only]. --kpis-only fills only the KPI store (the overview's figures come from
/// KPI windows; its one search, the newest error, then runs on an empty index) and skips the searches: a 10M-event
/// run in minutes where indexing would take an hour on a loaded machine.
/// </summary>
internal static class ScaleLoad
{
    private const int Batch = 10_000;
    private const int Runs = 200;

    public static async Task<int> RunAsync(string[] args)
    {
        var total = Array.IndexOf(args, "--events") is >= 0 and var i ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 10_000_000;
        var kpisOnly = args.Contains("--kpis-only");
        var dir = Path.Combine(Path.GetTempPath(), "saasmon-scale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var ct = CancellationToken.None;
        var end = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        try
        {
            var sqlite = new SqliteOptions { Path = Path.Combine(dir, "kpi.db") };
            var started = Stopwatch.GetTimestamp();
            using (var search = new LuceneSearchStore(new LuceneSearchOptions { Directory = Path.Combine(dir, "index") }))
            using (var kpis = new SqliteKpiStore(sqlite))
            {
                var random = new Random(7);
                for (var b = 0; b * Batch < total; b++)
                {
                    var events = Enumerable.Range(0, Math.Min(Batch, total - (b * Batch))).Select(n => Event(random, b, n, end)).ToArray();
                    if (!kpisOnly)
                    {
                        await search.UpsertAsync(events, ct);
                    }

                    var batch = new KpiBatch();
                    foreach (var e in events)
                    {
                        batch.Add(e);
                    }

                    await kpis.ApplyAsync(batch, "scale", [new TopicPartitionOffset("logs.events", 0, (b + 1L) * Batch)], ct);
                    if (b % 100 == 99)
                    {
                        await search.FlushAsync(ct);
                        Console.WriteLine($"  {(b + 1L) * Batch:N0} events loaded, {(b + 1L) * Batch / Stopwatch.GetElapsedTime(started).TotalSeconds:N0}/s");
                    }
                }

                await search.FlushAsync(ct);
                Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {total:N0} events over 7 days loaded in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");

                var lastDay = end.AddDays(-1);
                if (!kpisOnly)
                {
                    await TimeSearchesAsync(search, lastDay, ct);
                }

                await TimeAsync("KPI totals from day windows (warm)", () => StatsAsync(kpis, end, ct));

                // The overview page's figures as the page reads them (Kpis through the hot cache): with an empty
                // cache each time (every figure computed from the windows), and with the cache the page shares.
                foreach (var (range, span) in new[] { ("24 hours", TimeSpan.FromDays(1)), ("30 days", TimeSpan.FromDays(30)) })
                {
                    await TimeAsync($"overview page, {range}, empty cache", () => OverviewFigures.LoadAsync(Overview(kpis), search, span, DateTimeOffset.UtcNow, ct));
                }

                var shared = Overview(kpis);
                await TimeAsync("overview page, 24 hours, warm cache", () => OverviewFigures.LoadAsync(shared, search, TimeSpan.FromDays(1), DateTimeOffset.UtcNow, ct));
            }

            using (var cold = new SqliteKpiStore(sqlite))
            {
                var sw = Stopwatch.GetTimestamp();
                await StatsAsync(cold, end, ct);
                Console.WriteLine($"KPI totals, cold (store just opened): {Stopwatch.GetElapsedTime(sw).TotalMilliseconds:N1} ms");
            }

            Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    /// <summary>What /api/stats reads: all-time day windows and users, plus the last 24 hours of hour windows.</summary>
    private static async Task<KpiTotals> StatsAsync(IKpiStore kpis, DateTimeOffset end, CancellationToken ct)
    {
        var days = await kpis.QueryAsync(new KpiQuery(KpiGranularity.Day), ct);
        var users = await kpis.QueryUsersAsync(new KpiQuery(KpiGranularity.Day), ct);
        var hours = await kpis.QueryAsync(new KpiQuery(KpiGranularity.Hour, end.AddDays(-1)), ct);
        KpiReport.SlowestEndpoints(days, 5);
        KpiReport.Totals(hours, []);
        return KpiReport.Totals(days, users);
    }

    /// <summary>The searches of DESIGN §7 over the loaded index, newest 50 unless said.</summary>
    private static async Task TimeSearchesAsync(LuceneSearchStore search, DateTimeOffset lastDay, CancellationToken ct)
    {
        await TimeAsync("full text + level filter, newest 50", () => search.SearchAsync(new SearchRequest(new SearchQuery { Text = "message:timeout", Levels = [LogLevels.Error] }), ct));
        await TimeAsync("Lucene query with endpoint, last day, newest 50", () => search.SearchAsync(new SearchRequest(new SearchQuery { Text = "endpoint:\"/api/orders\" AND status_code:[500 TO 599]", From = lastDay }), ct));
        await TimeAsync("all events, newest 50", () => search.SearchAsync(new SearchRequest(new SearchQuery()), ct));
        await TimeAsync("filters only, slowest 50", () => search.SearchAsync(new SearchRequest(new SearchQuery { Services = ["payments"], StatusClasses = [5] }) { Sort = SearchSort.SlowestFirst }, ct));
    }

    /// <summary>The dashboard's KPI reader over <paramref name="store"/> with a fresh in-process hot cache.</summary>
    private static Kpis Overview(IKpiStore store) =>
        new(store, new MemoryHotCache(new MemoryCache(new MemoryCacheOptions())), TimeProvider.System, Options.Create(new DashboardOptions()));

    private static async Task TimeAsync<T>(string what, Func<Task<T>> run)
    {
        var (p50, p99) = await Latency.MeasureAsync(Runs, run);
        Console.WriteLine($"{what}: p50 {p50:N2} ms, p99 {p99:N2} ms");
    }

    private static readonly string[] Services = ["api", "auth", "payments", "web", "search", "reports"];
    private static readonly string[] Endpoints = ["/api/users", "/api/orders", "/api/payments", "/api/search", "/api/auth/login", "/", "/dashboard", "/api/reports/export"];
    private static readonly string[] Messages = ["request handled", "user login", "order created", "database connection timeout", "payment declined by gateway", "cache miss for key", "upstream timeout after retry"];

    /// <summary>A generated request event at a random time in the <paramref name="span"/> (7 days unless given) before <paramref name="end"/>.</summary>
    internal static LogEvent Event(Random random, int batch, int n, DateTimeOffset end, TimeSpan? span = null)
    {
        var status = random.NextDouble() switch { < 0.02 => 500, < 0.07 => 404, _ => 200 };
        return new LogEvent
        {
            Id = EventIds.For(0, batch, n),
            Timestamp = end.AddSeconds(-random.Next((int)(span ?? TimeSpan.FromDays(7)).TotalSeconds)),
            Level = status >= 500 ? LogLevels.Error : status >= 400 ? LogLevels.Warning : LogLevels.Info,
            Service = Services[random.Next(Services.Length)],
            Server = "prod-web-0" + random.Next(1, 6).ToString(CultureInfo.InvariantCulture),
            Endpoint = Endpoints[random.Next(Endpoints.Length)],
            Method = "GET",
            StatusCode = status,
            ResponseTimeMs = Math.Round(Math.Exp(4 + random.NextDouble() * 2), 1),
            UserId = "u" + random.Next(20_000).ToString(CultureInfo.InvariantCulture),
            Message = Messages[random.Next(Messages.Length)] + " #" + n.ToString(CultureInfo.InvariantCulture),
            ReceivedAt = end,
        };
    }
}
