using Aggregator.Worker;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddEngines().AddAggregatorWorker().Build();
app.MapSaasMonitorDefaults();
app.Run();
