using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting;

namespace Aggregator.Worker;

public static class AggregatorExtensions
{
    /// <summary>The aggregator worker: events → KPI windows.</summary>
    public static WebApplicationBuilder AddAggregatorWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Aggregator);
        builder.Services.AddSingleton(sp => new ConsumerGroup(AggregatorService.GroupName, sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Topics.Events));
        builder.Services.AddHostedService<AggregatorService>();
        return builder;
    }
}
