using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SaasMonitor.Hosting;

namespace Dashboard.Web;

public static class DashboardExtensions
{
    /// <summary>The dashboard's REST API: search, events, export, KPIs and charts, saved searches and history.</summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Dashboard);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Kpis>();
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapSearch();
        app.MapKpis();

        // Until the web UI lands, the front page is the browsable API reference.
        app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription();
        return app;
    }
}
