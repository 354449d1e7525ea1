using System.Diagnostics;
using System.Globalization;
using Dashboard.Web;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// The search page's server side on demo-sized data: fills the embedded search store with N events over the last hour
/// (default 720,000: an hour of the demo's 200 events/s), then times, for a few typical searches, the first results
/// (the first page of hits the page shows) and the whole page (hits, histogram and top values), p50 and p99 over
/// repeated runs after a warm-up. Usage: searchpage [--events N] [--runs N]
/// </summary>
internal static class SearchPageLoad
{
    private const int Batch = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var total = Option(args, "--events", 720_000);
        var runs = Option(args, "--runs", 100);
        var dir = Path.Combine(Path.GetTempPath(), "saasmon-searchpage-" + Guid.NewGuid().ToString("N"));
        var ct = CancellationToken.None;
        var now = DateTimeOffset.UtcNow;
        try
        {
            using var store = new LuceneSearchStore(new LuceneSearchOptions { Directory = dir });
            var random = new Random(11);
            var started = Stopwatch.GetTimestamp();
            for (var b = 0; b * Batch < total; b++)
            {
                await store.UpsertAsync([.. Enumerable.Range(0, Math.Min(Batch, total - (b * Batch))).Select(n => ScaleLoad.Event(random, b, n, now, TimeSpan.FromHours(1)))], ct);
            }

            await store.FlushAsync(ct);
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {total:N0} events over the last hour loaded in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");

            (string What, SearchQuery Query)[] searches =
            [
                ("everything, all time (the page's default)", new SearchQuery()),
                ("level:ERROR, last hour", new SearchQuery { Text = "level:ERROR", From = now.AddHours(-1) }),
                ("service + status range, last 24 hours", new SearchQuery { Text = "service:payments AND status_code:[500 TO 599]", From = now.AddHours(-24) }),
                ("full text message:timeout, last 15 minutes", new SearchQuery { Text = "message:timeout", From = now.AddMinutes(-15) }),
            ];
            foreach (var (what, query) in searches)
            {
                var first = await Latency.MeasureAsync(runs, () => SearchPageQueries.HitsAsync(store, query, null, ct));
                var page = await Latency.MeasureAsync(runs, async () =>
                {
                    var overview = Task.Run(() => SearchPageQueries.OverviewAsync(store, query, now, ct), ct);
                    await SearchPageQueries.HitsAsync(store, query, null, ct);
                    return await overview;
                });
                Console.WriteLine($"{what}: first results p50 {first.P50:N1} ms, p99 {first.P99:N1} ms; whole page p50 {page.P50:N1} ms, p99 {page.P99:N1} ms");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is >= 0 and var i ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
