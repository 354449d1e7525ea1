using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Durability: the saasmon process is killed hard (SIGKILL) in the middle of a large ingest and started again on the
/// same data. Every acknowledged event must be indexed exactly once, and the KPI total must equal the index total.
/// </summary>
public sealed class KillTests : IDisposable
{
    private const int EventsPerBatch = 500;
    private const int Senders = 4;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "saasmon-kill-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_hard_kill_during_ingest_loses_no_acknowledged_event_and_duplicates_none()
    {
        var port = FreePort();
        var acknowledged = new ConcurrentBag<int>();
        using (var server = ServerProcess.Start(_dataDir, port))
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await server.WaitReadyAsync(client);

            using var stop = new CancellationTokenSource();
            var next = -1;
            var senders = Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var batch = Interlocked.Increment(ref next);
                    try
                    {
                        using var response = await client.PostAsync("/api/ingest", Batch(batch), stop.Token);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            acknowledged.Add(batch);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();

            await Eventually.HoldsAsync(() => Task.FromResult(acknowledged.Count >= 80), TimeSpan.FromSeconds(90), "40,000 events acknowledged");
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        var ackedEvents = acknowledged.Count * EventsPerBatch;
        using (var restarted = ServerProcess.Start(_dataDir, FreePort()))
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restarted.Port}") };
            await restarted.WaitReadyAsync(client);
            long indexed = 0;
            await Eventually.HoldsAsync(
                async () =>
                {
                    indexed = await TotalAsync(client, "/api/search?page_size=1&service=killtest");
                    var counted = await TotalAsync(client, "/api/stats", "total_logs");
                    return indexed >= ackedEvents && counted == indexed;
                },
                TimeSpan.FromSeconds(120),
                $"at least the {ackedEvents} acknowledged events indexed and counted once");

            var markers = await AllMessagesAsync(client);
            markers.Should().OnlyHaveUniqueItems("no event is indexed twice");
            markers.Should().HaveCount((int)indexed);
            var present = markers.ToHashSet();
            foreach (var batch in acknowledged)
            {
                present.Should().Contain($"kill-{batch}-0").And.Contain($"kill-{batch}-{EventsPerBatch - 1}");
            }

            markers.Select(m => m.Split('-')[1]).Distinct().Should().OnlyContain(b => markers.Count(x => x.StartsWith($"kill-{b}-", StringComparison.Ordinal)) == EventsPerBatch,
                "a batch is all there or not there at all");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is in the temp directory.
        }
    }

    private static StringContent Batch(int batch)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < EventsPerBatch; i++)
        {
            sb.Append("{\"service\":\"killtest\",\"level\":\"INFO\",\"endpoint\":\"/api/k\",\"status_code\":200,\"response_time_ms\":12.5,\"message\":\"kill-")
                .Append(batch).Append('-').Append(i).Append("\"}\n");
        }

        return new StringContent(sb.ToString(), Encoding.UTF8, "application/x-ndjson");
    }

    private static async Task<long> TotalAsync(HttpClient client, string path, string property = "total")
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync(path));
        return doc.RootElement.GetProperty(property).GetInt64();
    }

    private static async Task<List<string>> AllMessagesAsync(HttpClient client)
    {
        var messages = new List<string>();
        string? cursor = null;
        do
        {
            using var doc = JsonDocument.Parse(await client.GetStringAsync(
                "/api/search?service=killtest&page_size=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            messages.AddRange(doc.RootElement.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("message").GetString()!));
            cursor = doc.RootElement.TryGetProperty("next_cursor", out var c) ? c.GetString() : null;
        }
        while (cursor is not null);

        return messages;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>saasmon as its own OS process (the build output next to the tests), so it can be killed hard.</summary>
    private sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static ServerProcess Start(string dataDir, int port)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "saasmon.dll"), "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDir, "--Serilog:MinimumLevel:Default=Warning" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new ServerProcess(process, port);
        }

        public async Task WaitReadyAsync(HttpClient client) => await Eventually.HoldsAsync(
            async () =>
            {
                _process.HasExited.Should().BeFalse("saasmon keeps running");
                try
                {
                    return (await client.GetAsync("/health/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "saasmon ready");

        /// <summary>SIGKILL: no shutdown code runs.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
