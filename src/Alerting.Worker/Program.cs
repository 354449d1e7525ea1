using Alerting.Worker;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddEngines().AddAlerting().Build();
app.MapSaasMonitorDefaults();
app.Run();
