using Ingest.Gateway.Elasticsearch;
using Ingest.Gateway.Listeners;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SaasMonitor.Hosting;

namespace Ingest.Gateway;

public static class GatewayExtensions
{
    /// <summary>The ingest gateway: POST /api/ingest, Seq's /api/events/raw, GELF (HTTP, TCP, UDP), Elasticsearch's _bulk, the syslog listeners, file uploads and the files API.</summary>
    public static WebApplicationBuilder AddIngestGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Gateway);
        builder.Services.AddOptions<IngestOptions>()
            .Bind(builder.Configuration.GetSection(IngestOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RawWriter>();
        builder.Services.AddSingleton<IdempotentIngest>();
        builder.Services.AddOptions<DemoOptions>()
            .Bind(builder.Configuration.GetSection(DemoOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoTraffic>();
        builder.Services.AddOptions<SyslogOptions>()
            .Bind(builder.Configuration.GetSection(SyslogOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<SyslogListener>();
        builder.Services.AddOptions<GelfOptions>()
            .Bind(builder.Configuration.GetSection(GelfOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<GelfListener>();
        return builder;
    }

    public static WebApplication MapIngestGateway(this WebApplication app)
    {
        app.MapIngest();
        app.MapShipperInputs();
        app.MapElasticsearch();
        app.MapFiles();
        return app;
    }
}
