using Dashboard.Web.Components;
using Dashboard.Web.Identity;
using Dashboard.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Parser.Worker;
using MudBlazor.Services;
using Scalar.AspNetCore;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Bus;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web;

public static class DashboardExtensions
{
    /// <summary>The dashboard: search, events, export, KPIs and charts, dead letters and their redrive, saved searches and history, sign-in, users, tokens, ingest keys and the audit log.</summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Dashboard);
        builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.Configure<LagWatch>(w => w.WholePipeline = true);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Kpis>();
        builder.AddParsingOptions();
        builder.Services.AddSingleton<LiveFeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        builder.Services.AddSingleton(sp => new DeadLetterQueue(sp.GetRequiredService<IMessageBus>(), sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value, sp.GetRequiredService<AuditLog>()));
        // Serves the dashboard's and MudBlazor's files from the build output too, not only from a published folder.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<SetupToken>();
        builder.Services.AddHostedService<FirstRun>();
        builder.Services.AddHousekeeping("sessions and audit retention", TimeSpan.FromHours(1), async (sp, ct) =>
        {
            var store = sp.GetRequiredService<IIdentityStore>();
            var auth = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            await store.DeleteExpiredSessionsAsync(now, now - auth.IdleTimeout, ct).ConfigureAwait(false);
            await store.DeleteAuditBeforeAsync(now.AddDays(-auth.AuditRetentionDays), ct).ConfigureAwait(false);
        });
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapSearch();
        app.MapKpis();
        app.MapDeadLetters();
        app.MapSignIn();
        app.MapAccountAdministration();
        app.MapPages();
        app.MapStaticAssets().AllowAnonymous();

        // The API reference's page starts with an inline script: the response's policy allows that one script by nonce.
        app.MapScalarApiReference("/docs", (options, http) => options
                .WithTitle("SaasMonitor API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableAgent()
                .HideDeveloperTools()
                .DisableDefaultFonts()
                .WithNonce(SecurityHeaders.ScriptNonce(http)))
            .RequireAuthorization(Policies.Viewer);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireAuthorization(Policies.Viewer);
        return app;
    }
}
