namespace SaasMonitor.Hosting;

/// <summary>A pipeline module this process runs (gateway, parser, indexer, aggregator, dashboard).</summary>
public sealed record PipelineModule(string Name)
{
    public const string Gateway = "gateway";
    public const string Parser = "parser";
    public const string Indexer = "indexer";
    public const string Aggregator = "aggregator";
    public const string Dashboard = "dashboard";

    public static readonly IReadOnlyList<string> All = [Gateway, Parser, Indexer, Aggregator, Dashboard];
}

/// <summary>A consumer group a module runs, watched for lag.</summary>
public sealed record ConsumerGroup(string Group, string Topic);
