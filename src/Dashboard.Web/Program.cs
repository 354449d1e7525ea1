using Dashboard.Web;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddDashboard().Build();
app.MapSaasMonitorDefaults().MapDashboard();
app.Run();
