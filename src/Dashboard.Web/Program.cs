using Alerting.Worker;
using Dashboard.Web;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddEngines().AddDashboard().AddAlertingApi().Build();
app.MapSaasMonitorDefaults().MapDashboard().MapAlerting();
app.Run();
