using Aggregator.Worker;
using Alerting.Worker;
using Dashboard.Web;
using Indexer.Worker;
using Ingest.Gateway;
using Parser.Worker;
using SaasMonitor.Hosting;

namespace SaasMonitor;

/// <summary>Every module in one process on the embedded engines: the default way to run SaasMonitor.</summary>
public static class AllInOne
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = CommandLine.Expand(args),
                ContentRootPath = AppContext.BaseDirectory,

                // Names the static web assets manifests (saasmon.staticwebassets.*.json) whichever program hosts the server.
                ApplicationName = typeof(AllInOne).Assembly.GetName().Name,
            })
            .AddSaasMonitorDefaults()
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
