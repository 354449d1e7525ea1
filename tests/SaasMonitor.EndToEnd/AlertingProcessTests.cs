using System.Net;
using System.Text.Json;
using SaasMonitor.Testing;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Alerting in the distributed shape: the alerting worker as its own process next to the other modules over a
/// Kafka-protocol broker, sharing the data folder. It is killed hard while a rule fires (its messages recorded as sent)
/// and started again: the firing is neither sent twice nor forgotten, and the resolve still comes, once.
/// </summary>
public sealed class AlertingProcessTests : IAsyncDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "saasmon-alert-multi-" + Guid.NewGuid().ToString("N"));
    private readonly KafkaTestBroker _broker = new();
    private readonly List<ModuleProcess> _processes = [];
    private AlertReceivers? _receivers;

    [Fact]
    public async Task The_alerting_worker_as_its_own_process_over_kafka_notifies_once_across_a_hard_kill()
    {
        _receivers = await AlertReceivers.StartAsync();
        _broker.CreatePipelineTopics(partitions: 2, replicationFactor: 1);
        var gateway = Start("Ingest.Gateway");
        Start("Parser.Worker");
        Start("Indexer.Worker");
        Start("Aggregator.Worker");
        var dashboard = Start("Dashboard.Web");
        var worker = Start("Alerting.Worker");
        foreach (var process in _processes)
        {
            await process.WaitReadyAsync();
        }

        await TestUsers.AuthorizeAsync(dashboard.Client);
        var channels = await AlertingSteps.CreateChannelsAsync(dashboard.Client, _receivers);
        var rule = await AlertingSteps.CreateRuleAsync(dashboard.Client, "checkout errors", "count", "service:checkout AND level:ERROR", channels, threshold: 2, window: "20s");

        var lines = Enumerable.Range(0, 4).Select(i => $$"""{"level":"ERROR","service":"checkout","message":"card declined {{i}}"}""");
        using (var ingested = await gateway.Client.PostAsync("/api/ingest", new StringContent(string.Join('\n', lines), System.Text.Encoding.UTF8, "application/x-ndjson")))
        {
            ingested.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        await Eventually.HoldsAsync(() => Task.FromResult(_receivers.Received("checkout errors") == "webhook: firing; slack: firing; mail: firing"), TimeSpan.FromSeconds(90), "the firing on every channel");
        // Killed between a receiver's answer and recording it sent, a worker sends that message again (at least once):
        // what must hold is that a message recorded as sent is never sent again.
        await Eventually.HoldsAsync(
            async () =>
            {
                using var sent = JsonDocument.Parse(await dashboard.Client.GetStringAsync($"/api/alerts/notifications?rule_id={rule}"));
                return sent.RootElement.EnumerateArray().Count(n => n.GetProperty("status").GetString() == "sent") == 3;
            },
            TimeSpan.FromSeconds(60),
            "the three firing messages recorded as sent");
        worker.Kill();
        _processes.Remove(worker);
        worker.Dispose();

        var restarted = Start("Alerting.Worker");
        await restarted.WaitReadyAsync();
        await Eventually.HoldsAsync(
            () => Task.FromResult(_receivers.Received("checkout errors") == "webhook: firing, resolved; slack: firing, resolved; mail: firing, resolved"),
            TimeSpan.FromSeconds(90),
            async () => $"""
                the resolve, once, after the restart; got {_receivers.Received("checkout errors")}
                rule: {await dashboard.Client.GetStringAsync($"/api/alert-rules/{rule}")}
                notifications: {await dashboard.Client.GetStringAsync($"/api/alerts/notifications?rule_id={rule}")}
                the restarted worker wrote: {restarted.Output}
                """);
        await AlertingSteps.EvaluatedSinceAsync(dashboard.Client, rule, evaluations: 3);

        _receivers.Received("checkout errors").Should().Be("webhook: firing, resolved; slack: firing, resolved; mail: firing, resolved");
    }

    public async ValueTask DisposeAsync()
    {
        _processes.ForEach(p => p.Dispose());
        _broker.Dispose();
        if (_receivers is not null)
        {
            await _receivers.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is in the temp directory.
        }
    }

    private ModuleProcess Start(string module)
    {
        var process = ModuleProcess.Start(
            module,
            [
            "--SaasMonitor:Bus=Kafka",
            $"--SaasMonitor:Kafka:BootstrapServers={_broker.BootstrapServers}",
            "--SaasMonitor:Kafka:ReplicationFactor=1",
            "--SaasMonitor:Partitions=2",
            $"--SaasMonitor:DataDirectory={_dataDir}",
            .. AlertingTests.Settings,
            ]);
        _processes.Add(process);
        return process;
    }
}
