using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Hosting;

/// <summary>One health check per engine: a cheap real call, reported with its duration.</summary>
internal static class HealthChecks
{
    private const string Ready = "ready";

    public static void AddEngineHealthChecks(this IServiceCollection services) => services.AddHealthChecks()
        .Add(Check("bus", async (sp, ct) =>
        {
            var o = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value;
            var w = await sp.GetRequiredService<IMessageBus>().GetWatermarksAsync(o.Topics.Raw, ct).ConfigureAwait(false);
            return $"{w.Sum(p => p.High - p.Low)} raw records held";
        }))
        .Add(Check("search", async (sp, ct) =>
            $"{await sp.GetRequiredService<ISearchStore>().CountAsync(new SearchQuery(), ct).ConfigureAwait(false)} events indexed"))
        .Add(Check("kpi_store", (sp, ct) =>
        {
            sp.GetRequiredService<IKpiStore>().GetOffsets("health");
            return Task.FromResult("reachable");
        }))
        .Add(Check("metadata_store", async (sp, ct) =>
            $"{await sp.GetRequiredService<IMetadataStore>().CountFilesAsync(ct).ConfigureAwait(false)} files"))
        .Add(Check("disk", (sp, _) => Task.FromResult(sp.GetRequiredService<DiskSpace>().Check())));

    public static void MapEngineHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(Ready) }).AllowAnonymous();
        app.MapGet("/api/health", ApiHealthAsync)
            .WithTags("Health")
            .WithName("Health")
            .WithSummary("Status and response time of every engine, consumer lag and process figures.")
            .RequireAuthorization(Security.Policies.Viewer);
    }

    private static async Task<IResult> ApiHealthAsync(HealthCheckService health, ConsumerLagMonitor lag, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct).ConfigureAwait(false);
        var process = Process.GetCurrentProcess();
        var body = new
        {
            status = Word(report.Status),
            timestamp = DateTimeOffset.UtcNow,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = Word(e.Value.Status),
                response_time_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 2),
                detail = e.Value.Description,
                error = e.Value.Exception?.Message,
            }),
            consumer_lag = lag.Latest.Select(l => new { group = l.Group, topic = l.Topic, partition = l.Partition, lag = l.Lag }),
            system = new
            {
                memory_mb = process.WorkingSet64 / (1024 * 1024),
                cpu_count = Environment.ProcessorCount,
                uptime_s = (long)(DateTime.Now - process.StartTime).TotalSeconds,
            },
        };
        return Results.Json(body, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static string Word(HealthStatus s) => s switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "down",
    };

    private static HealthCheckRegistration Check(string name, Func<IServiceProvider, CancellationToken, Task<string>> probe) =>
        new(name, sp => new ProbeCheck(sp, probe), HealthStatus.Unhealthy, [Ready], TimeSpan.FromSeconds(5));

    private sealed class ProbeCheck(IServiceProvider sp, Func<IServiceProvider, CancellationToken, Task<string>> probe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return HealthCheckResult.Healthy(await probe(sp, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
            }
        }
    }
}
