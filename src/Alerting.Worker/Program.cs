using Alerting.Worker;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddAlerting().Build();
app.MapSaasMonitorDefaults();
app.Run();
