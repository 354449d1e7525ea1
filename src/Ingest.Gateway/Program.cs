using Ingest.Gateway;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddEngines().AddIngestGateway().Build();
app.MapSaasMonitorDefaults().MapIngestGateway();
app.Run();
