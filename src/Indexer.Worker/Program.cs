using Indexer.Worker;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddIndexerWorker().Build();
app.MapSaasMonitorDefaults();
app.Run();
