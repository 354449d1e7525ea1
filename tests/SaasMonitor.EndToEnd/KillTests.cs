namespace SaasMonitor.EndToEnd;

/// <summary>
/// Durability: the saasmon process is killed hard (SIGKILL) in the middle of a large ingest and started again on the
/// same data. Every acknowledged event must be indexed exactly once, and the KPI total must equal the index total.
/// </summary>
public sealed class KillTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "saasmon-kill-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_hard_kill_during_ingest_loses_no_acknowledged_event_and_duplicates_none()
    {
        var load = new MarkedLoad("killtest", eventsPerBatch: 500);
        using (var server = ModuleProcess.Start("saasmon", "--data-dir", _dataDir))
        {
            await server.WaitReadyAsync();
            using var stop = new CancellationTokenSource();
            var sending = load.SendAsync(server.Client, senders: 4, batches: int.MaxValue, stop.Token);
            await Eventually.HoldsAsync(() => Task.FromResult(load.Acknowledged.Count >= 80), TimeSpan.FromSeconds(90), "40,000 events acknowledged");
            server.Kill();
            await stop.CancelAsync();
            await sending;
        }

        using var restarted = ModuleProcess.Start("saasmon", "--data-dir", _dataDir);
        await restarted.WaitReadyAsync();
        await TestUsers.AuthorizeAsync(restarted.Client);
        await Eventually.HoldsAsync(
            async () =>
            {
                var indexed = await load.IndexedAsync(restarted.Client);
                return indexed >= load.AcknowledgedEvents && await MarkedLoad.TotalAsync(restarted.Client, "/api/stats", "total_logs") == indexed;
            },
            TimeSpan.FromSeconds(120),
            $"at least the {load.AcknowledgedEvents} acknowledged events indexed and counted once");
        await load.ShouldHoldEveryAcknowledgedEventOnceAsync(restarted.Client);
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
}
