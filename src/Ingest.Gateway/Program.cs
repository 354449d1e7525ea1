using Ingest.Gateway;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddIngestGateway().Build();
app.MapSaasMonitorDefaults().MapIngestGateway();
app.Run();
