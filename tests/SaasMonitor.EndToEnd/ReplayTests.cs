using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core;
using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Hosting;
using SaasMonitor.Operator;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// <c>saasmon replay</c> on the all-in-one server's data: moving the parser and indexer back re-processes every
/// event and changes neither the index nor the KPIs; a dry run moves nothing; a running server refuses it.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "saasmon-replay-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Replaying_parser_and_indexer_re_processes_everything_and_changes_no_count()
    {
        long total;
        string stats;
        var host = await OperatorRuns.StartOnAsync(_dataDir);
        await using (host)
        {
            var upload = await host.UploadAsync("apache_combined_10k.log", await File.ReadAllBytesAsync(TestData.PathOf("apache", "apache_combined_10k.log"), TestContext.Current.CancellationToken));
            upload.StatusCode.Should().Be(HttpStatusCode.Created);
            await Eventually.HoldsAsync(
                async () => await host.TotalAsync("") == 10_000 && (await host.GetJsonAsync("/api/stats")).GetProperty("total_logs").GetInt64() == 10_000 && await OperatorRuns.CaughtUpAsync(host),
                TimeSpan.FromSeconds(60),
                "10,000 events indexed and counted, every group caught up");
            total = await host.TotalAsync("");
            stats = (await host.GetJsonAsync("/api/stats")).GetRawText();

            var refused = await OperatorRuns.RunAsync("replay", "--data-dir", _dataDir, "--group", "parser", "--topic", Topics.Raw, "--to-time", "now-1h");
            refused.Code.Should().NotBe(0);
            refused.Error.Trim().Should().Be($"The server using {_dataDir} is running; stop it before replaying.");
        }

        var before = await CommittedAsync("parser", Topics.Raw);
        var dryRun = await OperatorRuns.RunAsync("replay", "--data-dir", _dataDir, "--group", "parser", "--topic", Topics.Raw, "--to-time", "now-1h", "--dry-run");
        dryRun.Code.Should().Be(0, dryRun.Error);
        (await CommittedAsync("parser", Topics.Raw)).Should().Equal(before, "a dry run moves nothing");

        var parser = await OperatorRuns.RunAsync("replay", "--data-dir", _dataDir, "--group", "parser", "--topic", Topics.Raw, "--to-time", "now-1h");
        var indexer = await OperatorRuns.RunAsync("replay", "--data-dir", _dataDir, "--group", "indexer", "--topic", Topics.Events, "--to-time", "-1h");
        parser.Code.Should().Be(0, parser.Error);
        indexer.Code.Should().Be(0, indexer.Error);
        indexer.Output.Should().MatchRegex(@"total\s+10000\s", "every event was appended within the hour");
        (await CommittedAsync("parser", Topics.Raw)).Should().OnlyContain(o => o == 0);

        host = await OperatorRuns.StartOnAsync(_dataDir);
        await using (host)
        {
            await Eventually.HoldsAsync(
                async () => (await CommittedAsyncOf(host, "parser")).Sum() == before.Sum() && await OperatorRuns.CaughtUpAsync(host),
                TimeSpan.FromSeconds(60),
                "the parser, indexer and aggregator caught up after the replay");
            (await host.TotalAsync("")).Should().Be(total);
            (await host.GetJsonAsync("/api/stats")).GetRawText().Should().Be(stats, "the aggregator skips re-published events");
        }
    }

    private async Task<long[]> CommittedAsync(string group, string topic)
    {
        await using var bus = new JournalBus(new JournalOptions { Directory = Path.Combine(_dataDir, "journal") });
        return [.. (await bus.GetCommittedOffsetsAsync(group, topic, TestContext.Current.CancellationToken)).Select(o => o.Offset)];
    }

    private static async Task<long[]> CommittedAsyncOf(InProcessHost host, string group) =>
        [.. (await host.Services.GetRequiredService<IMessageBus>().GetCommittedOffsetsAsync(group, Topics.Raw, TestContext.Current.CancellationToken)).Select(o => o.Offset)];
}

/// <summary>Runs operator commands in-process and the server on a chosen data folder, for the operator tests.</summary>
internal static class OperatorRuns
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await OperatorCommands.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The all-in-one server on <paramref name="dataDir"/> (a later --data-dir wins), which outlives the server.</summary>
    public static Task<InProcessHost> StartOnAsync(string dataDir) => InProcessHost.StartAsync("--data-dir", dataDir);

    /// <summary>True when every group has committed up to the high watermark of every partition.</summary>
    public static async Task<bool> CaughtUpAsync(InProcessHost host) =>
        (await host.Services.GetRequiredService<ConsumerLagMonitor>().SampleAsync(TestContext.Current.CancellationToken)).All(l => l.Lag == 0);
}
