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
        builder.Services.AddOptions<ParsingOptions>()
            .Bind(builder.Configuration.GetSection(ParsingOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ParsingOptions>, ParsingOptions.Validation>();
        builder.Services.AddConsumerModule<ParserService>(PipelineModule.Parser, ParserService.GroupName, t => t.Raw);
        return builder;
    }
}
