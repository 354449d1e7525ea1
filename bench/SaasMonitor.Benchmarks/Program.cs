using BenchmarkDotNet.Running;

namespace SaasMonitor.Benchmarks;

// A named class rather than top-level statements: the referenced worker hosts expose their own global Program
// (InternalsVisibleTo), which a top-level Program here would collide with (CS0436).
public static class Program
{
    /// <summary>"pipeline ...": the end-to-end load benchmark; "scale ...": search and KPI latency at 10M events; "kafka ...": parser and indexer throughput over Kafka; "cost ...": ingest cost against ClickHouse; "alert-latency": breaching event ingested → notification received; anything else: BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "pipeline":
                return await PipelineLoad.RunAsync(args[1..]);
            case "scale":
                return await ScaleLoad.RunAsync(args[1..]);
            case "kafka":
                return await KafkaStageLoad.RunAsync(args[1..]);
            case "cost":
                return await CostLoad.RunAsync(args[1..]);
            case "alert-latency":
                return await AlertLatencyLoad.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
