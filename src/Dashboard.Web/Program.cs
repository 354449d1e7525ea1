using Dashboard.Web;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddEngines().AddDashboard().Build();
app.MapSaasMonitorDefaults().MapDashboard();
app.Run();
