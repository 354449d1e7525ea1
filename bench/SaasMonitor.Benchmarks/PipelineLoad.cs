using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Identity;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// End-to-end load benchmark of the all-in-one server: HTTP JSON-lines batches → journal → parser → index + KPIs.
/// Reports sustained events/s until every acknowledged event is searchable and counted, ingest-to-searchable
/// latency of probe events (p50/p99), and the ratio to the slowest stage run alone on the same data.
/// Usage: pipeline [--events N] [--batch N] [--senders N] [--rate N]. Without --rate the senders go as fast as the
/// server acknowledges (throughput); with --rate they are paced to N events/s (latency at a sustainable load).
/// </summary>
internal static class PipelineLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = Arg(args, "--events", 1_000_000);
        var batchSize = Arg(args, "--batch", 5000);
        var senders = Arg(args, "--senders", 4);
        var rate = Arg(args, "--rate", 0);
        var dataDir = Path.Combine(Path.GetTempPath(), "saasmon-bench-" + Guid.NewGuid().ToString("N"));
        var batches = Enumerable.Range(0, events / batchSize).Select(b => Batch(b, batchSize)).ToArray();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {CpuModel()}; events {batches.Length * batchSize:N0} in batches of {batchSize:N0}, {senders} senders, {(rate == 0 ? "unpaced" : $"paced at {rate:N0} events/s")}");

        var (parseAlone, indexAlone) = await StagesAloneAsync(batches, dataDir + "-stages");
        Console.WriteLine($"stage alone: parse {parseAlone:N0} events/s (one thread), index {indexAlone:N0} events/s (the store's indexing threads)");

        var app = AllInOne.Build(["--urls", "http://127.0.0.1:0", "--data-dir", dataDir, "--Serilog:MinimumLevel:Default=Warning"]);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", await BenchTokenAsync(app.Services));
            var latencies = new List<double>();
            using var probing = new CancellationTokenSource();
            var probes = ProbeAsync(client, latencies, probing.Token);

            var started = Stopwatch.GetTimestamp();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
            {
                int b;
                while ((b = Interlocked.Increment(ref next)) < batches.Length)
                {
                    if (rate > 0 && TimeSpan.FromSeconds((double)b * batchSize / rate) - Stopwatch.GetElapsedTime(started) is { Ticks: > 0 } wait)
                    {
                        await Task.Delay(wait);
                    }

                    using var content = new ByteArrayContent(batches[b]);
                    content.Headers.ContentType = new("application/x-ndjson");
                    using var response = await client.PostAsync("/api/ingest", content);
                    if (response.StatusCode != HttpStatusCode.Accepted)
                    {
                        throw new InvalidOperationException($"batch {b}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
            })));
            var acked = Stopwatch.GetElapsedTime(started);
            long expected = batches.Length * (long)batchSize;
            while (await TotalAsync(client, "/api/search?page_size=1&service=bench") < expected
                || await TotalAsync(client, "/api/stats", "total_logs") < expected + latencies.Count)
            {
                await Task.Delay(50);
            }

            var done = Stopwatch.GetElapsedTime(started);
            await probing.CancelAsync();
            await probes;
            var e2e = expected / done.TotalSeconds;
            latencies.Sort();
            Console.WriteLine($"acknowledged: {expected / acked.TotalSeconds:N0} events/s over HTTP ({acked.TotalSeconds:N1} s)");
            Console.WriteLine($"end to end (searchable and counted): {e2e:N0} events/s ({done.TotalSeconds:N1} s), zero loss: {await TotalAsync(client, "/api/search?page_size=1&service=bench") == expected}");
            Console.WriteLine($"ingest-to-searchable under load: p50 {Percentile(latencies, 0.5):N0} ms, p99 {Percentile(latencies, 0.99):N0} ms ({latencies.Count} probes)");
            if (rate == 0)
            {
                Console.WriteLine($"ratio to the slowest stage alone: {e2e / Math.Min(parseAlone, indexAlone):N2}");
            }

            Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }

        return 0;
    }

    /// <summary>Each probe is one event sent alone; its latency is from acknowledgement to first seen in search.</summary>
    /// <summary>An API token of an editor created for the run: it sends the batches and reads the results, as a script would.</summary>
    private static async Task<string> BenchTokenAsync(IServiceProvider services)
    {
        var accounts = services.GetRequiredService<Accounts>();
        var actor = new Actor("bench", null);
        var user = await accounts.CreateUserAsync("bench", Role.Editor, password: null, actor, CancellationToken.None);
        return (await accounts.IssueTokenAsync(user, "bench", Role.Editor, null, actor, CancellationToken.None)).Secret;
    }

    private static async Task ProbeAsync(HttpClient client, List<double> latencies, CancellationToken ct)
    {
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var marker = $"probe{i}x";
            using var content = new StringContent($$"""{"service":"probe","message":"{{marker}}"}""", Encoding.UTF8, "application/x-ndjson");
            using (await client.PostAsync("/api/ingest", content, CancellationToken.None))
            {
            }

            var acked = Stopwatch.GetTimestamp();
            while (await TotalAsync(client, $"/api/search?page_size=1&q=message:{marker}") == 0)
            {
                await Task.Delay(10, CancellationToken.None);
            }

            latencies.Add(Stopwatch.GetElapsedTime(acked).TotalMilliseconds);
            try
            {
                await Task.Delay(250, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal static async Task<(double Parse, double Index)> StagesAloneAsync(byte[][] batches, string dir)
    {
        var parser = new LogParser();
        var parsed = new List<LogEvent>(batches.Length * 5000);
        var failures = new List<ParseFailure>();
        var started = Stopwatch.GetTimestamp();
        for (var b = 0; b < batches.Length; b++)
        {
            parser.Parse(batches[b], RawFormat.JsonLines, new RawContext(0, b, "bench", null, DateTimeOffset.UtcNow), parsed, failures);
        }

        var parse = parsed.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        using var store = new LuceneSearchStore(new LuceneSearchOptions { Directory = dir });
        started = Stopwatch.GetTimestamp();
        foreach (var chunk in parsed.Chunk(5000))
        {
            await store.UpsertAsync(chunk, CancellationToken.None);
        }

        await store.FlushAsync(CancellationToken.None);
        var index = parsed.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        store.Dispose();
        Directory.Delete(dir, recursive: true);
        return (parse, index);
    }

    internal static byte[] Batch(int batch, int size)
    {
        var random = new Random(batch);
        var sb = new StringBuilder(size * 260);
        string[] endpoints = ["/api/users", "/api/orders", "/api/payments", "/api/search", "/api/auth/login"];
        string[] levels = ["INFO", "INFO", "INFO", "INFO", "WARNING", "ERROR", "DEBUG"];
        var t = DateTimeOffset.UtcNow.AddMinutes(-random.Next(600));
        for (var i = 0; i < size; i++)
        {
            var level = levels[random.Next(levels.Length)];
            sb.Append("{\"timestamp\":\"").Append(t.AddMilliseconds(i).ToString("O", CultureInfo.InvariantCulture))
                .Append("\",\"log_type\":\"bench\",\"service\":\"bench\",\"level\":\"").Append(level)
                .Append("\",\"method\":\"GET\",\"endpoint\":\"").Append(endpoints[random.Next(endpoints.Length)])
                .Append("\",\"status_code\":").Append(level == "ERROR" ? 500 : 200)
                .Append(",\"response_time_ms\":").Append((random.NextDouble() * 400).ToString("0.0", CultureInfo.InvariantCulture))
                .Append(",\"client_ip\":\"10.0.").Append(random.Next(256)).Append('.').Append(random.Next(256))
                .Append("\",\"user_id\":\"user_").Append(random.Next(5000))
                .Append("\",\"server\":\"prod-web-0").Append(random.Next(1, 5))
                .Append("\",\"message\":\"request handled in batch ").Append(batch).Append(" item ").Append(i).Append("\"}\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    internal static async Task<long> TotalAsync(HttpClient client, string path, string property = "total")
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync(path));
        return doc.RootElement.GetProperty(property).GetInt64();
    }

    internal static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

    internal static int Arg(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is >= 0 and var i && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    internal static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
}
