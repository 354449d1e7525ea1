using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SaasMonitor.Hosting;

/// <summary>A periodic maintenance task of a module (retention), run once at start and then every interval.</summary>
internal sealed partial class Housekeeping(
    string name,
    TimeSpan interval,
    Func<IServiceProvider, CancellationToken, Task> work,
    IServiceProvider services,
    ILogger<Housekeeping> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await work(services, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, name, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(LogLevel.Warning, "Housekeeping task {Name} failed; it runs again at its next interval")]
    private static partial void LogFailed(ILogger logger, string name, Exception ex);
}

public static class HousekeepingExtensions
{
    /// <summary>Runs <paramref name="work"/> at start and then every <paramref name="interval"/>; failures are logged, never fatal.</summary>
    public static IServiceCollection AddHousekeeping(this IServiceCollection services, string name, TimeSpan interval, Func<IServiceProvider, CancellationToken, Task> work) =>
        services.AddSingleton<IHostedService>(sp => new Housekeeping(name, interval, work, sp, sp.GetRequiredService<ILogger<Housekeeping>>()));

    /// <summary>
    /// Hourly, drops what is older than <see cref="SaasMonitorOptions.EventRetentionDays"/> by event time:
    /// <paramref name="drop"/> gets the cutoff. Nothing runs while the setting is 0 (keep forever).
    /// </summary>
    public static IServiceCollection AddEventRetention(this IServiceCollection services, string name, Func<IServiceProvider, DateTimeOffset, CancellationToken, Task> drop) =>
        services.AddHousekeeping(name, TimeSpan.FromHours(1), (sp, ct) =>
        {
            var days = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.EventRetentionDays;
            return days == 0 ? Task.CompletedTask : drop(sp, sp.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-days), ct);
        });
}
