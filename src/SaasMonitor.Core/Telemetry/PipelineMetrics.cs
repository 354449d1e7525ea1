using System.Diagnostics.Metrics;

namespace SaasMonitor.Core.Telemetry;

/// <summary>
/// The pipeline's own instruments (exported at /metrics). Every instrument is tagged with the stage
/// (gateway, parser, indexer, aggregator) so one dashboard shows the whole flow.
/// </summary>
public static class PipelineMetrics
{
    /// <summary>Exported with this prefix: saasmon_events_in, saasmon_consumer_lag, ...</summary>
    public const string MeterName = "saasmon";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Records a stage took in.</summary>
    public static readonly Counter<long> EventsIn = Meter.CreateCounter<long>("events.in", "{event}", "Records taken in by a stage");

    /// <summary>Records a stage passed on (appended, indexed, aggregated).</summary>
    public static readonly Counter<long> EventsOut = Meter.CreateCounter<long>("events.out", "{event}", "Records a stage passed on");

    /// <summary>Records a stage rejected (dead-lettered or refused).</summary>
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("events.failed", "{event}", "Records a stage rejected");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("batch.size", "{event}", "Records per processed batch");

    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("batch.duration", "s", "Time to process one batch");

    /// <summary>Registers the consumer-lag gauge; <paramref name="observe"/> returns the latest lag per group and partition.</summary>
    public static void ObserveLag(Func<IEnumerable<Measurement<long>>> observe) =>
        Meter.CreateObservableGauge("consumer.lag", observe, "{message}", "Messages not yet processed, per consumer group and partition");

    public static KeyValuePair<string, object?> Stage(string stage) => new("stage", stage);
}
