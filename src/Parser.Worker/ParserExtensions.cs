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
        builder.AddParsingOptions();
        builder.Services.AddConsumerModule<ParserService>(PipelineModule.Parser, ParserService.GroupName, t => t.Raw);
        return builder;
    }

    /// <summary>
    /// Section "SaasMonitor:Parsing", checked at start: the parser reads with it, and the dashboard's upload preview
    /// too, so a preview shows what the parser will store. Registered once, whichever module asks first.
    /// </summary>
    public static WebApplicationBuilder AddParsingOptions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(IValidateOptions<ParsingOptions>)))
        {
            return builder;
        }

        builder.Services.AddOptions<ParsingOptions>()
            .Bind(builder.Configuration.GetSection(ParsingOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ParsingOptions>, ParsingOptions.Validation>();
        return builder;
    }
}
