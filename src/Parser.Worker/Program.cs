using Parser.Worker;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddParserWorker().Build();
app.MapSaasMonitorDefaults();
app.Run();
