using Aggregator.Worker;
using Alerting.Worker;
using Dashboard.Web;
using Indexer.Worker;
using Ingest.Gateway;
using Parser.Worker;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

namespace SaasMonitor;

/// <summary>Every module in one process on the embedded engines: the default way to run SaasMonitor.</summary>
public static class AllInOne
{
    /// <summary>
    /// What sharing one process changes, said explicitly: this process writes the embedded index; its searches see new
    /// events without a commit, so the indexer commits every 10 s; its aggregator invalidates the dashboard's cache, so
    /// KPI answers are kept up to 30 s.
    /// </summary>
    internal static readonly (string Key, string Value)[] Settings =
    [
        ("SaasMonitor:IndexWriter", "true"),
        ("SaasMonitor:Indexer:CommitInterval", "00:00:10"),
        ("SaasMonitor:Dashboard:KpiCacheTtl", "00:00:30"),
    ];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = CommandLine.Expand(args),
                ContentRootPath = AppContext.BaseDirectory,

                // Names the static web assets manifests (saasmon.staticwebassets.*.json) whichever program hosts the server.
                ApplicationName = typeof(AllInOne).Assembly.GetName().Name,
            })
            .AddDefaultSettings(Settings)
            .AddSaasMonitorDefaults()
            .AddEngines()
            .AddIngestGateway()
            .AddParserWorker()
            .AddIndexerWorker()
            .AddAggregatorWorker()
            .AddDashboard()
            .AddAlerting();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapSaasMonitorDefaults().MapIngestGateway().MapDashboard().MapAlerting();
        return app;
    }
}
