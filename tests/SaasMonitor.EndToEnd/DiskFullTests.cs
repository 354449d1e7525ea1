using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// A full disk, for real: the server's data folder on a small tmpfs that the test fills. Needs root (to mount); skipped
/// with the reason elsewhere.
/// </summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task A_full_disk_refuses_ingest_with_507_and_the_reason_reports_unready_and_recovers_when_space_returns()
    {
        var folder = Path.Combine(Path.GetTempPath(), "saasmon-full-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (await RunAsync("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", folder) is { Length: > 0 } refusal)
        {
            Directory.Delete(folder);
            Assert.Skip($"A full disk is made by mounting a small tmpfs, which needs root: {refusal}");
        }

        try
        {
            await using var host = await InProcessHost.StartAsync("--data-dir", Path.Combine(folder, "data"), "--SaasMonitor:MinFreeDiskBytes=0");
            (await IngestAsync(host, "before")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await Eventually.HoldsAsync(async () => await host.TotalAsync("service=before") == 1, TimeSpan.FromSeconds(30), "the event before the disk fills searchable");

            var filler = Path.Combine(folder, "filler");
            Fill(filler);
            using var refused = await IngestAsync(host, "during", lines: 2_000);
            refused.StatusCode.Should().Be(HttpStatusCode.InsufficientStorage);
            JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString().Should().Contain("is full");
            (await host.Client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            using var health = await host.Client.GetAsync("/api/health");
            JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("disk").GetProperty("error").GetString()
                .Should().Contain("disk is full");

            File.Delete(filler);
            (await IngestAsync(host, "after")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            (await host.Client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
            await Eventually.HoldsAsync(async () => await host.TotalAsync("service=after") == 1, TimeSpan.FromSeconds(30), "ingest resumed once space returned");
            (await host.TotalAsync("service=during")).Should().Be(0);
        }
        finally
        {
            await RunAsync("umount", "-l", folder);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A batch of <paramref name="lines"/> events of about 120 bytes each, random enough that compression cannot shrink it into a sliver of free space.</summary>
    private static async Task<HttpResponseMessage> IngestAsync(InProcessHost host, string service, int lines = 1)
    {
        var body = string.Join('\n', Enumerable.Range(0, lines).Select(i => $$"""{"service":"{{service}}","message":"line {{i}} {{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(50))}}"}"""));
        return await host.Client.PostAsync("/api/ingest", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
    }

    /// <summary>Writes until the disk refuses even one more byte.</summary>
    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        foreach (var size in (int[])[64 * 1024, 4096, 1])
        {
            var block = new byte[size];
            try
            {
                while (true)
                {
                    file.Write(block);
                }
            }
            catch (IOException)
            {
                // Full for blocks of this size; try smaller ones.
            }
        }
    }

    /// <summary>Runs a command: empty when it succeeded, else why not.</summary>
    private static async Task<string> RunAsync(string command, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? "" : $"{command} exited with {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{command} cannot run here: {ex.Message}";
        }
    }
}
