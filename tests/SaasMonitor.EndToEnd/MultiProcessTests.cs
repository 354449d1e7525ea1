using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using SaasMonitor.Testing;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// The distributed shape: gateway, two parsers, indexer, aggregator and two dashboards as separate OS processes over a
/// Kafka-protocol broker (librdkafka's mock cluster, three brokers, on loopback), sharing one data folder for the
/// embedded index and KPI store and a real redis-server as their hot cache. One parser is killed hard in the middle of
/// the ingest; its partitions move to the other parser, which re-reads from the last committed offsets. Nothing
/// acknowledged may be lost, nothing counted twice. The dashboards keep KPI answers for 10 minutes, so their totals
/// converge only because the aggregator's invalidations reach them through Redis. Both dashboards' live tails show
/// what the gateway takes in, and they count sign-in attempts together in Redis.
/// </summary>
public sealed class MultiProcessTests : IDisposable
{
    private const int Partitions = 4;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "saasmon-multi-" + Guid.NewGuid().ToString("N"));
    private readonly KafkaTestBroker _broker = new();
    private readonly RedisTestServer _redis = new();
    private readonly List<ModuleProcess> _processes = [];

    [Fact]
    public async Task Separate_module_processes_over_kafka_index_and_count_every_acknowledged_event_once_when_a_parser_is_killed()
    {
        if (_redis.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        _broker.CreatePipelineTopics(Partitions, replicationFactor: 3);

        var gateway = Start("Ingest.Gateway");
        var parsers = new[] { Start("Parser.Worker"), Start("Parser.Worker") };
        Start("Indexer.Worker");
        Start("Aggregator.Worker");
        var dashboards = new[] { Start("Dashboard.Web"), Start("Dashboard.Web") };
        var dashboard = dashboards[0];
        foreach (var process in _processes)
        {
            await process.WaitReadyAsync();
        }

        foreach (var d in dashboards)
        {
            await TestUsers.AuthorizeAsync(d.Client);
            await MarkedLoad.TotalAsync(d.Client, "/api/stats", "total_logs"); // cached now, kept for 10 minutes unless invalidated
        }

        var load = new MarkedLoad("multiproc", eventsPerBatch: 500);
        var sending = load.SendAsync(gateway.Client, senders: 4, batches: 200, TestContext.Current.CancellationToken);
        await Eventually.HoldsAsync(
            async () => load.Acknowledged.Count >= 60 && await ParsedAsync(parsers[0]) > 0 && await ParsedAsync(parsers[1]) > 0,
            TimeSpan.FromSeconds(120),
            "30,000 events acknowledged and both parsers at work");
        parsers[0].Kill();
        await sending;
        load.AcknowledgedEvents.Should().Be(100_000, "the gateway acknowledges every batch while a parser dies");

        await Eventually.HoldsAsync(
            async () => await load.IndexedAsync(dashboard.Client) >= load.AcknowledgedEvents
                && await MarkedLoad.TotalAsync(dashboard.Client, "/api/stats", "total_logs") >= load.AcknowledgedEvents,
            TimeSpan.FromSeconds(180),
            $"the {load.AcknowledgedEvents} acknowledged events indexed and counted");

        await load.ShouldHoldEveryAcknowledgedEventOnceAsync(dashboard.Client);
        (await load.IndexedAsync(dashboard.Client)).Should().Be(load.AcknowledgedEvents);
        var stats = await dashboard.Client.GetStringAsync("/api/stats");
        (await MarkedLoad.TotalAsync(dashboard.Client, "/api/stats", "total_logs")).Should().Be(load.AcknowledgedEvents, stats);
        (await MarkedLoad.TotalAsync(dashboard.Client, "/api/stats", "error_count")).Should().Be(load.AcknowledgedErrors, stats);
        (await MarkedLoad.TotalAsync(dashboards[1].Client, "/api/stats", "total_logs")).Should().Be(load.AcknowledgedEvents, "the other dashboard shares the cache");

        await BothDashboardsTailWhatTheGatewayTookInAsync(gateway, dashboards);
        await SignInAttemptsCountAcrossBothDashboardsAsync(dashboards);
    }

    public void Dispose()
    {
        _processes.ForEach(p => p.Dispose());
        _broker.Dispose();
        _redis.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is in the temp directory.
        }
    }

    private static async Task BothDashboardsTailWhatTheGatewayTookInAsync(ModuleProcess gateway, ModuleProcess[] dashboards)
    {
        var streams = new List<LiveStream>();
        try
        {
            foreach (var d in dashboards)
            {
                streams.Add(await LiveStream.OpenAsync(d.Client, "service:fan-out"));
            }

            using var body = new StringContent("{\"service\":\"fan-out\",\"message\":\"to every dashboard 1\"}\n{\"service\":\"fan-out\",\"message\":\"to every dashboard 2\"}\n", System.Text.Encoding.UTF8, "application/x-ndjson");
            using var sent = await gateway.Client.PostAsync("/api/ingest", body);
            sent.StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);

            foreach (var stream in streams)
            {
                (await stream.EventsAsync(2, TimeSpan.FromSeconds(60))).Select(e => e.GetProperty("message").GetString())
                    .Should().BeEquivalentTo("to every dashboard 1", "to every dashboard 2");
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>Ten attempts per account a minute (the default), taken in turn at either dashboard: the eleventh is refused by whichever gets it.</summary>
    private static async Task SignInAttemptsCountAcrossBothDashboardsAsync(ModuleProcess[] dashboards)
    {
        var name = "guesser-" + Guid.NewGuid().ToString("N")[..8];
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var failed = await dashboards[attempt % 2].Client.PostAsJsonAsync("/api/login", new { username = name, password = "wrong-guess-" + attempt });
            failed.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, $"attempt {attempt + 1} of 10 is within the limit");
        }

        using var refused = await dashboards[1].Client.PostAsJsonAsync("/api/login", new { username = name, password = "wrong-guess-10" });
        refused.StatusCode.Should().Be(System.Net.HttpStatusCode.TooManyRequests, "the dashboards count one account's attempts together in Redis");
    }

    /// <summary>Raw records a parser process took in, from its own /metrics.</summary>
    private static async Task<double> ParsedAsync(ModuleProcess parser)
    {
        var metrics = await parser.Client.GetStringAsync("/metrics");
        var line = Regex.Match(metrics, @"^saasmon_events_in\S*\{[^}]*stage=""parser""[^}]*\} (\S+)$", RegexOptions.Multiline);
        return line.Success ? double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private ModuleProcess Start(string module)
    {
        var process = ModuleProcess.Start(
            module,
            "--SaasMonitor:Bus=Kafka",
            $"--SaasMonitor:Kafka:BootstrapServers={_broker.BootstrapServers}",
            "--SaasMonitor:Kafka:ReplicationFactor=3",
            // A dead member's partitions move after the session timeout: keep it short for the test.
            "--SaasMonitor:Kafka:Client:session.timeout.ms=6000",
            "--SaasMonitor:Kafka:Client:heartbeat.interval.ms=500",
            $"--SaasMonitor:Partitions={Partitions}",
            $"--SaasMonitor:DataDirectory={_dataDir}",
            "--SaasMonitor:Cache=Redis",
            $"--SaasMonitor:Redis:Configuration={_redis.Configuration}",
            "--SaasMonitor:Dashboard:KpiCacheTtl=00:10:00");
        _processes.Add(process);
        return process;
    }
}
