using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SaasMonitor.Hosting;

/// <summary>A pipeline module this process runs (gateway, parser, indexer, aggregator, dashboard, alerting).</summary>
public sealed record PipelineModule(string Name)
{
    public const string Gateway = "gateway";
    public const string Parser = "parser";
    public const string Indexer = "indexer";
    public const string Aggregator = "aggregator";
    public const string Dashboard = "dashboard";
    public const string Alerting = "alerting";

    public static readonly IReadOnlyList<string> All = [Gateway, Parser, Indexer, Aggregator, Dashboard, Alerting];
}

/// <summary>A consumer group a module runs, watched for lag.</summary>
public sealed record ConsumerGroup(string Group, string Topic);

/// <summary>The consumer groups of the pipeline's workers.</summary>
public static class PipelineGroups
{
    public const string Parser = "parser";
    public const string Indexer = "indexer";
    public const string Aggregator = "aggregator";

    /// <summary>Every worker group with the topic it consumes.</summary>
    public static IReadOnlyList<ConsumerGroup> All(TopicNames topics) =>
        [new(Parser, topics.Raw), new(Indexer, topics.Events), new(Aggregator, topics.Events)];
}

public static class PipelineModuleExtensions
{
    /// <summary>Registers a consuming module: the module's name, its consumer group (watched for lag) and its worker.</summary>
    public static IServiceCollection AddConsumerModule<TWorker>(this IServiceCollection services, string module, string group, Func<TopicNames, string> topic)
        where TWorker : class, IHostedService
    {
        services.AddPipelineModule(module);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ConsumerGroup(group, topic(sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Topics)));
        services.AddHostedService<TWorker>();
        return services;
    }
}
