using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using SaasMonitor.Hosting.Security;
using Serilog;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace SaasMonitor.Hosting;

/// <summary>What every SaasMonitor process shares: configuration, logging, engines, metrics, health, API docs.</summary>
public static partial class HostDefaults
{
    /// <summary>Environment variable that sets <see cref="SaasMonitorOptions.DataDirectory"/>.</summary>
    public const string DataDirVariable = "SAASMON_DATA_DIR";

    public static WebApplicationBuilder AddSaasMonitorDefaults(this WebApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable(DataDirVariable) is { Length: > 0 } dataDir)
        {
            // Lowest precedence: appsettings, SaasMonitor__DataDirectory and the command line still win.
            builder.AddDefaultSettings(($"{SaasMonitorOptions.Section}:{nameof(SaasMonitorOptions.DataDirectory)}", dataDir));
        }

        builder.Services.AddSerilog((sp, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"));

        builder.Services.AddOptions<SaasMonitorOptions>()
            .Bind(builder.Configuration.GetSection(SaasMonitorOptions.Section))
            .ValidateDataAnnotations()
            .Validate<IEnumerable<PipelineModule>>(
                (o, modules) => o.Bus != SaasMonitorOptions.EmbeddedBus || PipelineModule.All.All(m => modules.Any(x => x.Name == m)),
                "The embedded bus lives inside one process, so every module (gateway, parser, indexer, aggregator, dashboard, alerting) must run in it: start `saasmon`, or configure a shared bus such as Kafka.")
            .ValidateOnStart();

        builder.Services.AddSaasMonitorSecurity(builder.Configuration);
        builder.Services.AddHostedService<TopicSetup>();
        builder.Services.AddSingleton<ConsumerLagMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsumerLagMonitor>());
        builder.Services.AddSingleton<DiskSpace>();
        builder.Services.AddRequestTargetLimit();
        builder.Services.AddEngineHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "SaasMonitor API";
            document.Info.Description = ApiIntroduction;
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
        });
        return builder;
    }

    /// <summary>
    /// Settings this host gives when no other configuration source does (appsettings, environment and command line
    /// still win): how the all-in-one and a module's own host differ, said explicitly.
    /// </summary>
    public static WebApplicationBuilder AddDefaultSettings(this WebApplicationBuilder builder, params (string Key, string Value)[] settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)) });
        return builder;
    }

    /// <summary>Declares that this process runs <paramref name="module"/> (checked against the bus at start).</summary>
    public static IServiceCollection AddPipelineModule(this IServiceCollection services, string module) =>
        services.AddSingleton(new PipelineModule(module));

    public static WebApplication MapSaasMonitorDefaults(this WebApplication app)
    {
        // The security headers first, so that every answer carries them, the 414 of a too long URI included.
        app.UseMiddleware<SecurityHeaders>();
        app.UseRequestTargetLimit();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseReferenceHttpMetrics();
        app.UseSaasMonitorSecurity();
        app.MapMetrics("/metrics").RequireAuthorization(Policies.Metrics);

        // prometheus-net starts listening to .NET meters at the registry's first collection; collect once now so the
        // pipeline instruments count from the start of the process, not from the first scrape.
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null).GetAwaiter().GetResult();
        app.MapEngineHealth();
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(Policies.Viewer);
        app.Lifetime.ApplicationStarted.Register(() => PrintUrls(app));
        return app;
    }

    private const string ApiIntroduction =
        "Everything the dashboard does, over HTTP: send logs (batches, files and the protocols shippers speak), search events " +
        "with Lucene syntax, read KPIs and charts, manage files, dead letters, alerts, users, tokens and keys. Authenticate " +
        "with a personal API token (`Authorization: Bearer smt_…`, from the Account page or `saasmon tokens create`), with an " +
        "ingest key for sending logs (`X-Api-Key: smk_…`), or with the dashboard's session cookie plus the `X-CSRF-Token` " +
        "header for changes. Errors are RFC 9457 problem details with the reason in `detail`.";

    private static void PrintUrls(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SaasMonitor");
        foreach (var address in addresses)
        {
            LogServing(logger, address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal));
        }
    }

    [LoggerMessage(LogLevel.Information, "SaasMonitor is serving {Url} (OpenAPI document at /openapi/v1.json, metrics at /metrics, health at /api/health)")]
    private static partial void LogServing(ILogger logger, string url);
}
