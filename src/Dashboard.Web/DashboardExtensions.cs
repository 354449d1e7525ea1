using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Dashboard.Web.Identity;
using Dashboard.Web.Pages;
using SaasMonitor.Hosting;

namespace Dashboard.Web;

public static class DashboardExtensions
{
    /// <summary>The dashboard: search, events, export, KPIs and charts, saved searches and history, sign-in, users, tokens, ingest keys and the audit log.</summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Dashboard);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Kpis>();
        builder.Services.AddSingleton<SetupToken>();
        builder.Services.AddHostedService<FirstRun>();
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapSearch();
        app.MapKpis();
        app.MapSignIn();
        app.MapAccountAdministration();
        app.MapPages();
        return app;
    }
}
