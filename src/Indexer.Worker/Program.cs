using Indexer.Worker;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

// The indexer is the one writer of the embedded index; other processes of the host read its commits.
var app = WebApplication.CreateBuilder(args).AddDefaultSettings(("SaasMonitor:IndexWriter", "true"))
    .AddSaasMonitorDefaults().AddEngines().AddIndexerWorker().Build();
app.MapSaasMonitorDefaults();
app.Run();
