using Alerting.Worker;
using Dashboard.Web;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddDashboard().AddAlertingApi().Build();
app.MapSaasMonitorDefaults().MapDashboard().MapAlerting();
app.Run();
