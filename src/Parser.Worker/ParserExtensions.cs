using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting;

namespace Parser.Worker;

public static class ParserExtensions
{
    /// <summary>The parser worker: raw records → typed events and dead letters.</summary>
    public static WebApplicationBuilder AddParserWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Parser);
        builder.Services.AddSingleton(sp => new ConsumerGroup(ParserService.GroupName, sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Topics.Raw));
        builder.Services.AddHostedService<ParserService>();
        return builder;
    }
}
