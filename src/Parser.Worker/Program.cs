using Parser.Worker;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddEngines().AddParserWorker().Build();
app.MapSaasMonitorDefaults();
app.Run();
