using Aggregator.Worker;
using SaasMonitor.Hosting;

var app = WebApplication.CreateBuilder(args).AddSaasMonitorDefaults().AddAggregatorWorker().Build();
app.MapSaasMonitorDefaults();
app.Run();
