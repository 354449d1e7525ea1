using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Ingest cost of the all-in-one next to a peer on the same machine, in the same run: the same generated JSON-lines
/// events are posted over HTTP to the <c>saasmon</c> server (its own process) and, when <c>clickhouse-server</c> is
/// installed, to ClickHouse (a MergeTree table, its own process), in interleaved rounds. For each it prints events/s
/// until everything is searchable / counted, the server's CPU seconds per million events, its peak RSS and the
/// bytes on disk per event, plus the ratios (for saasmon also its GC collections, pauses and allocation from /metrics);
/// and the end-to-end rate against the slowest stage run alone.
/// Usage: cost [--events N] [--batch N] [--senders N] [--rounds N] [--saasmon PATH] [--vs PATH ...] [--no-clickhouse] [--no-stages] [--keep].
/// Each --vs names another saasmon build (e.g. of the previous commit) run in the same rounds, for A/B ratios.
/// </summary>
internal static class CostLoad
{
    private const string ClickHouseServer = "/usr/sbin/clickhouse-server";

    /// <summary>--keep: leave the all-in-one's data folders for inspection.</summary>
    private static bool Keep { get; set; }

    public static async Task<int> RunAsync(string[] args)
    {
        var events = PipelineLoad.Arg(args, "--events", 1_000_000);
        var batchSize = PipelineLoad.Arg(args, "--batch", 5000);
        var senders = PipelineLoad.Arg(args, "--senders", 4);
        var rounds = PipelineLoad.Arg(args, "--rounds", 1);
        var saasmon = Text(args, "--saasmon") ?? Path.Combine(AppContext.BaseDirectory, "saasmon");
        var others = args.Select((a, i) => (a, i)).Where(x => x.a == "--vs" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();
        Keep = args.Contains("--keep");
        var clickHouse = !args.Contains("--no-clickhouse") && File.Exists(ClickHouseServer);
        var batches = Enumerable.Range(0, events / batchSize).Select(b => PipelineLoad.Batch(b, batchSize)).ToArray();
        var rawBytes = batches.Sum(b => (long)b.Length);
        long total = batches.Length * (long)batchSize;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {PipelineLoad.CpuModel()}, .NET {Environment.Version}; {total:N0} events of {(double)rawBytes / total:N0} raw bytes (JSON lines), batches of {batchSize:N0}, {senders} senders, {rounds} round(s)");
        if (!clickHouse)
        {
            Console.WriteLine($"ClickHouse: not run ({(args.Contains("--no-clickhouse") ? "--no-clickhouse" : $"{ClickHouseServer} is not installed; apt-get install clickhouse-server")})");
        }

        var (parseAlone, indexAlone) = args.Contains("--no-stages")
            ? (double.NaN, double.NaN)
            : await PipelineLoad.StagesAloneAsync(batches, Path.Combine(Path.GetTempPath(), "saasmon-cost-stages-" + Guid.NewGuid().ToString("N")));
        Console.WriteLine($"stage alone (this process): parse {parseAlone:N0} events/s (one thread), index {indexAlone:N0} events/s (the store's indexing threads)");

        var contenders = new List<(string Name, Func<Task<Result>> Run)> { ("saasmon", () => RunSaasMonitorAsync(saasmon, batches, senders, total)) };
        foreach (var other in others)
        {
            contenders.Add(($"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(other)))}/{Path.GetFileName(other)}", () => RunSaasMonitorAsync(other, batches, senders, total)));
        }

        if (clickHouse)
        {
            contenders.Add(("clickhouse", () => RunClickHouseAsync(batches, senders, total)));
        }

        var results = contenders.ToDictionary(c => c.Name, _ => new List<Result>());
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, run) in contenders)
            {
                var result = await run();
                results[name].Add(result);
                Console.WriteLine($"round {round} {name,-22} {result.Describe(total, rawBytes)}");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"medians over {rounds} round(s); raw bytes received {(double)rawBytes / total:N0} per event");
        foreach (var (name, list) in results)
        {
            Console.WriteLine($"{name,-22} {Result.Median(list).Describe(total, rawBytes)}");
        }

        var mine = results["saasmon"];
        Console.WriteLine($"saasmon end to end / slowest stage alone: {Median(mine, r => total / r.Searchable.TotalSeconds) / Math.Min(parseAlone, indexAlone):N2}");
        foreach (var other in results.Keys.Where(k => k != "saasmon"))
        {
            // Ratios round by round (each pair ran minutes apart on the same machine), then their median.
            var pairs = mine.Zip(results[other]).ToList();
            Console.WriteLine(
                $"saasmon / {other}: end to end {Median(pairs, p => p.Second.Searchable / p.First.Searchable):N3}, " +
                $"acknowledged {Median(pairs, p => p.Second.Acknowledged / p.First.Acknowledged):N3}, " +
                $"CPU {Median(pairs, p => p.First.Cpu / p.Second.Cpu):N2}x, " +
                $"peak RSS {Median(pairs, p => (double)p.First.PeakRss / p.Second.PeakRss):N2}x, " +
                $"disk {Median(pairs, p => (double)p.First.DiskAfterStop / p.Second.DiskAfterStop):N2}x");
        }

        return 0;
    }

    private static async Task<Result> RunSaasMonitorAsync(string saasmon, byte[][] batches, int senders, long expected)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "saasmon-cost-" + Guid.NewGuid().ToString("N"));
        var token = await EditorTokenAsync(saasmon, dataDir);
        var port = FreePort();
        var start = new ProcessStartInfo(saasmon)
        {
            ArgumentList =
            {
                "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDir, "--Serilog:MinimumLevel:Default=Warning",
                // The syslog and GELF listeners are not measured, and their fixed ports may be taken by another server on the machine.
                "--SaasMonitor:Inputs:Syslog:TcpPort=0", "--SaasMonitor:Inputs:Syslog:UdpPort=0", "--SaasMonitor:Inputs:Gelf:TcpPort=0", "--SaasMonitor:Inputs:Gelf:UdpPort=0",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var server = Start(start);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            await WaitUntilAsync(server, async () => (await client.GetAsync("/health/live")).IsSuccessStatusCode);
            var gcBefore = await GcCounters.ScrapeAsync(client);
            var result = await LoadAsync(server, client, batches, senders, "/api/ingest", "application/x-ndjson", async () =>
                await TotalAsync(client, "/api/search?page_size=1&service=bench", "total") >= expected
                && await TotalAsync(client, "/api/stats", "total_logs") >= expected);
            var gc = (await GcCounters.ScrapeAsync(client)) - gcBefore;
            var atSearchable = DiskBytes(dataDir);
            await StopAsync(server);
            return result with { DiskAtSearchable = atSearchable, DiskAfterStop = DiskBytes(dataDir), DiskParts = DiskParts(dataDir), Gc = gc };
        }
        finally
        {
            Kill(server);
            if (Keep)
            {
                Console.WriteLine($"data folder kept: {dataDir}");
            }
            else
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    private static async Task<Result> RunClickHouseAsync(byte[][] batches, int senders, long expected)
    {
        var dir = Path.Combine(Path.GetTempPath(), "saasmon-cost-clickhouse-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var port = FreePort();
        var config = Path.Combine(dir, "config.xml");
        File.WriteAllText(config, $"""
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><log>{dir}/server.log</log><errorlog>{dir}/error.log</errorlog><console>false</console></logger>
              <http_port>{port}</http_port>
              <tcp_port>{FreePort()}</tcp_port>
              <listen_host>127.0.0.1</listen_host>
              <path>{dir}/data/</path>
              <tmp_path>{dir}/tmp/</tmp_path>
              <users_config>users.xml</users_config>
              <default_profile>default</default_profile>
              <default_database>default</default_database>
              <mark_cache_size>5368709120</mark_cache_size>
            </yandex>
            """);
        File.WriteAllText(Path.Combine(dir, "users.xml"), """
            <?xml version="1.0"?>
            <yandex>
              <profiles><default></default></profiles>
              <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
              <quotas><default></default></quotas>
            </yandex>
            """);
        using var server = Start(new ProcessStartInfo(ClickHouseServer)
        {
            ArgumentList = { "--config-file=" + config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            await WaitUntilAsync(server, async () => (await client.GetAsync("/ping")).IsSuccessStatusCode);
            await QueryAsync(client, """
                CREATE TABLE logs (
                    timestamp String, ts DateTime MATERIALIZED parseDateTimeBestEffort(timestamp),
                    log_type String, service String, level String, method String, endpoint String,
                    status_code UInt16, response_time_ms Float64, client_ip String, user_id String, server String, message String)
                ENGINE = MergeTree ORDER BY (service, ts)
                """);
            var insert = "/?query=" + Uri.EscapeDataString("INSERT INTO logs FORMAT JSONEachRow");
            var result = await LoadAsync(server, client, batches, senders, insert, "application/x-ndjson", async () =>
                long.Parse(await QueryAsync(client, "SELECT count() FROM logs"), CultureInfo.InvariantCulture) >= expected);
            var data = Path.Combine(dir, "data");
            var atSearchable = DiskBytes(data);
            await StopAsync(server);
            return result with { DiskAtSearchable = atSearchable, DiskAfterStop = DiskBytes(data), DiskParts = DiskParts(Path.Combine(data, "data")) };
        }
        finally
        {
            Kill(server);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Posts every batch with <paramref name="senders"/> concurrent senders, then waits until <paramref name="done"/>; CPU is the server's from the first request to done.</summary>
    private static async Task<Result> LoadAsync(Process server, HttpClient client, byte[][] batches, int senders, string path, string contentType, Func<Task<bool>> done)
    {
        server.Refresh();
        var cpuBefore = server.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref next)) < batches.Length)
            {
                using var content = new ByteArrayContent(batches[b]);
                content.Headers.ContentType = new(contentType);
                using var response = await client.PostAsync(path, content);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"batch {b}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        var acknowledged = Stopwatch.GetElapsedTime(started);
        while (!await done())
        {
            await Task.Delay(100);
        }

        var searchable = Stopwatch.GetElapsedTime(started);
        server.Refresh();
        return new Result(acknowledged, searchable, server.TotalProcessorTime - cpuBefore, server.PeakWorkingSet64, 0, 0, "");
    }

    /// <summary>
    /// An editor and an API token for it in the fresh data folder, made with the operator commands before the server
    /// starts: searches and KPIs need a signed-in role, and the editor may also send the logs.
    /// </summary>
    private static async Task<string> EditorTokenAsync(string saasmon, string dataDir)
    {
        await OperatorAsync(saasmon, ["users", "add", "loader", "--role", "editor", "--password-stdin", "--data-dir", dataDir], "cost-" + Guid.NewGuid().ToString("N"));
        var output = await OperatorAsync(saasmon, ["tokens", "create", "--user", "loader", "--name", "cost", "--data-dir", dataDir], null);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    private static async Task<string> OperatorAsync(string saasmon, string[] arguments, string? input)
    {
        var start = new ProcessStartInfo(saasmon) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{saasmon} did not start.");
        await process.StandardInput.WriteLineAsync(input ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"saasmon {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}");
    }

    private static Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Console.Error.WriteLine($"[{Path.GetFileName(start.FileName)}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilAsync(Process server, Func<Task<bool>> ready)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {server.ExitCode} before it was ready");
            }

            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the server was not ready within 60 s");
    }

    /// <summary>A graceful stop (SIGTERM), so what the server writes on the way out is counted on disk.</summary>
    private static async Task StopAsync(Process server)
    {
        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);
    }

    private static void Kill(Process server)
    {
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    private static async Task<string> QueryAsync(HttpClient client, string sql)
    {
        using var response = await client.PostAsync("/", new StringContent(sql));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body.Trim() : throw new InvalidOperationException($"ClickHouse: {body}");
    }

    private static async Task<long> TotalAsync(HttpClient client, string path, string property)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync(path));
        return doc.RootElement.GetProperty(property).GetInt64();
    }

    private static long DiskBytes(string dir)
    {
        long bytes = 0;
        if (Directory.Exists(dir))
        {
            foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
            {
                try
                {
                    bytes += file.Length;
                }
                catch (FileNotFoundException)
                {
                    // Removed by a merge or retention while it was being counted.
                }
            }
        }

        return bytes;
    }

    /// <summary>Bytes per top-level entry of the data folder (and per topic of a journal), largest first.</summary>
    private static string DiskParts(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return "";
        }

        var parts = new List<(string Name, long Bytes)>();
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo sub && sub.Name == "journal" && Directory.Exists(Path.Combine(sub.FullName, "topics")))
            {
                parts.AddRange(new DirectoryInfo(Path.Combine(sub.FullName, "topics")).EnumerateDirectories().Select(topic => (topic.Name, DiskBytes(topic.FullName))));
            }
            else
            {
                parts.Add((entry.Name, entry is FileInfo file ? file.Length : DiskBytes(entry.FullName)));
            }
        }

        return string.Join(", ", parts.Where(p => p.Bytes > 0).OrderByDescending(p => p.Bytes).Select(p => $"{p.Name} {p.Bytes / 1e6:N1} MB"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Text(string[] args, string name) =>
        Array.IndexOf(args, name) is >= 0 and var i && i + 1 < args.Length ? args[i + 1] : null;

    private static double Median<T>(List<T> items, Func<T, double> value)
    {
        var sorted = items.Select(value).Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Result(TimeSpan Acknowledged, TimeSpan Searchable, TimeSpan Cpu, long PeakRss, long DiskAtSearchable, long DiskAfterStop, string DiskParts)
    {
        public static Result Median(List<Result> results) => new(
            TimeSpan.FromSeconds(CostLoad.Median(results, r => r.Acknowledged.TotalSeconds)),
            TimeSpan.FromSeconds(CostLoad.Median(results, r => r.Searchable.TotalSeconds)),
            TimeSpan.FromSeconds(CostLoad.Median(results, r => r.Cpu.TotalSeconds)),
            (long)CostLoad.Median(results, r => r.PeakRss),
            (long)CostLoad.Median(results, r => r.DiskAtSearchable),
            (long)CostLoad.Median(results, r => r.DiskAfterStop),
            results[^1].DiskParts)
        {
            Gc = results[0].Gc is null ? null : new GcCounters(
                CostLoad.Median(results, r => r.Gc!.Gen2Collections),
                CostLoad.Median(results, r => r.Gc!.PauseSeconds),
                CostLoad.Median(results, r => r.Gc!.AllocatedBytes)),
        };

        /// <summary>The server's garbage collections during the load, from its /metrics (saasmon only).</summary>
        public GcCounters? Gc { get; init; }

        public string Describe(long events, long rawBytes)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"end to end {events / Searchable.TotalSeconds,9:N0} events/s, acknowledged {events / Acknowledged.TotalSeconds,9:N0} events/s, ");
            sb.Append(CultureInfo.InvariantCulture, $"lag {(Searchable - Acknowledged).TotalSeconds:N1} s, CPU {Cpu.TotalSeconds * 1e6 / events:N1} s per million, ");
            sb.Append(CultureInfo.InvariantCulture, $"peak RSS {PeakRss / (1024 * 1024):N0} MiB, disk {(double)DiskAfterStop / events:N0} B/event ({(double)DiskAfterStop / rawBytes:N2}x raw; {(double)DiskAtSearchable / events:N0} B/event when searchable)");
            if (Gc is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $", GC {Gc.Gen2Collections * 1e6 / events:N0} gen-2 collections and {Gc.PauseSeconds * 1e6 / events:N1} s of pauses per million, {Gc.AllocatedBytes / events / 1024:N1} KiB allocated per event");
            }

            if (DiskParts.Length > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" [{DiskParts}]");
            }

            return sb.ToString();
        }
    }

    /// <summary>The runtime's garbage-collection counters as the server exports them at /metrics (the System.Runtime meter).</summary>
    private sealed record GcCounters(double Gen2Collections, double PauseSeconds, double AllocatedBytes)
    {
        public static GcCounters operator -(GcCounters after, GcCounters before) =>
            new(after.Gen2Collections - before.Gen2Collections, after.PauseSeconds - before.PauseSeconds, after.AllocatedBytes - before.AllocatedBytes);

        public static async Task<GcCounters> ScrapeAsync(HttpClient client)
        {
            var metrics = (await client.GetStringAsync("/metrics")).Split('\n');
            double Value(string name) => metrics.Where(line => line.StartsWith(name + " ", StringComparison.Ordinal))
                .Select(line => double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture)).Single();
            return new(
                Value("system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen2\"}"),
                Value("system_runtime_dotnet_gc_pause_time"),
                Value("system_runtime_dotnet_gc_heap_total_allocated"));
        }
    }
}
