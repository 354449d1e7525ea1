using System.Diagnostics;
using System.Diagnostics.Metrics;
using Indexer.Worker;
using Microsoft.AspNetCore.Builder;
using Parser.Worker;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Telemetry;
using SaasMonitor.Hosting;
using SaasMonitor.Kafka;
using SaasMonitor.Testing;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Kafka-mode throughput of the parser and the indexer on the test broker (librdkafka's mock cluster, three brokers,
/// loopback): raw records are produced to logs.raw first, then a parser host and an indexer host (each alone in
/// its process, Bus=Kafka) drain them, timed by their own events.out / events.in counters. Ratios are against the
/// same stages run alone on the same data without a bus.
/// Usage: kafka [--events N] [--batch N] [--SaasMonitor:Kafka:Client:&lt;librdkafka property&gt;=value ...].
/// </summary>
internal static class KafkaStageLoad
{
    private const int Partitions = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var events = PipelineLoad.Arg(args, "--events", 500_000);
        var batchSize = PipelineLoad.Arg(args, "--batch", 5000);
        var batches = Enumerable.Range(0, events / batchSize).Select(b => PipelineLoad.Batch(b, batchSize)).ToArray();
        long expected = batches.Length * (long)batchSize;
        var dataDir = Path.Combine(Path.GetTempPath(), "saasmon-kafka-bench-" + Guid.NewGuid().ToString("N"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {PipelineLoad.CpuModel()}; {expected:N0} events in raw records of {batchSize:N0} lines, {Partitions} partitions, 3 mock brokers");

        await PipelineLoad.StagesAloneAsync(batches[..Math.Min(batches.Length, 10)], dataDir + "-warmup");
        var (parseAlone, indexAlone) = await PipelineLoad.StagesAloneAsync(batches, dataDir + "-stages");
        Console.WriteLine($"stage alone: parse {parseAlone:N0} events/s (one thread), index {indexAlone:N0} events/s");

        using var broker = new KafkaTestBroker();
        broker.CreatePipelineTopics(Partitions, replicationFactor: 3);

        string[] hostArgs =
        [
            "--urls", "http://127.0.0.1:0", "--Serilog:MinimumLevel:Default=Warning",
            "--SaasMonitor:Bus=Kafka", $"--SaasMonitor:Kafka:BootstrapServers={broker.BootstrapServers}", "--SaasMonitor:Kafka:ReplicationFactor=3",
            $"--SaasMonitor:Partitions={Partitions}", $"--SaasMonitor:DataDirectory={dataDir}", .. args.Where(a => a.StartsWith("--SaasMonitor:", StringComparison.Ordinal) || a.StartsWith("--Serilog:", StringComparison.Ordinal)),
        ];

        var produce = await ProduceRawAsync(broker.BootstrapServers, batches, expected);
        Console.WriteLine($"produce raw: {produce:N0} events/s, {batches.Sum(b => (long)b.Length) / 1e6 / (expected / produce):N1} MB/s (idempotent, acks=all)");

        await RequireUntrimmedAsync(broker.BootstrapServers, "logs.raw");
        var parse = await DrainAsync(WebApplication.CreateBuilder(hostArgs).AddSaasMonitorDefaults().AddParserWorker(), "parser", PipelineMetrics.EventsOut, expected);
        Console.WriteLine($"parser over Kafka: {parse:N0} events/s, ratio to parse alone {parse / parseAlone:F2}");
        await RequireUntrimmedAsync(broker.BootstrapServers, "logs.events");
        var index = await DrainAsync(WebApplication.CreateBuilder(hostArgs).AddSaasMonitorDefaults().AddIndexerWorker(), "indexer", PipelineMetrics.EventsIn, expected);
        Console.WriteLine($"indexer over Kafka: {index:N0} events/s, ratio to index alone {index / indexAlone:F2}");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }

    private static async Task<double> ProduceRawAsync(string bootstrap, byte[][] batches, long expected)
    {
        await using var bus = new KafkaBus(new KafkaOptions { BootstrapServers = bootstrap, ReplicationFactor = 3 });
        var format = new MessageHeader(RawRecordHeaders.Format, "jsonl"u8.ToArray());
        var started = Stopwatch.GetTimestamp();
        // Spread evenly over the partitions (round-robin), as many producers would.
        for (var first = 0; first < batches.Length; first += 8)
        {
            await bus.ProduceAsync(
                "logs.raw",
                [.. batches.Skip(first).Take(8).Select((b, i) => new BusMessage(b) { Headers = [format], Partition = (first + i) % Partitions })],
                CancellationToken.None);
        }

        return expected / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// The test broker keeps a bounded log per partition in memory and drops the oldest messages beyond it (the low
    /// watermark moves up); a stage would then never see them. Refuse such a run instead of timing it.
    /// </summary>
    private static async Task RequireUntrimmedAsync(string bootstrap, string topic)
    {
        await using var bus = new KafkaBus(new KafkaOptions { BootstrapServers = bootstrap });
        var trimmed = (await bus.GetWatermarksAsync(topic, CancellationToken.None)).Where(w => w.Low > 0).ToList();
        if (trimmed.Count > 0)
        {
            throw new InvalidOperationException(
                $"The test broker dropped the oldest messages of {topic} ({string.Join(", ", trimmed.Select(w => $"partition {w.Partition}: {w.Low:N0} of {w.High:N0}"))}): its in-memory partition logs are bounded. Run with fewer events.");
        }
    }

    /// <summary>Runs one module's host until its counter reaches <paramref name="expected"/>; returns events/s from the first counted batch.</summary>
    private static async Task<double> DrainAsync(WebApplicationBuilder builder, string stage, Counter<long> counter, long expected)
    {
        long counted = 0;
        long first = 0;
        using var done = new SemaphoreSlim(0);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, counter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "stage" && (string?)tag.Value == stage)
                {
                    Interlocked.CompareExchange(ref first, Stopwatch.GetTimestamp(), 0);
                    if (Interlocked.Add(ref counted, value) >= expected)
                    {
                        done.Release();
                    }
                }
            }
        });
        listener.Start();
        await using var app = builder.Build();
        await app.StartAsync();
        var last = -1L;
        while (!await done.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            var now = Interlocked.Read(ref counted);
            Console.WriteLine($"  {stage}: {now:N0} of {expected:N0} so far");
            if (now == last)
            {
                // A stage that stops short would otherwise wait forever.
                throw new TimeoutException($"The {stage} made no progress for 30 s at {now:N0} of {expected:N0} events.");
            }

            last = now;
        }

        var elapsed = Stopwatch.GetElapsedTime(first);
        await app.StopAsync();
        return expected / elapsed.TotalSeconds;
    }
}
