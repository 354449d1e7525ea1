using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SaasMonitor.Hosting;

/// <summary>A housekeeping task of this process that another module may ask to run right away.</summary>
public interface IHousekeepingTask
{
    /// <summary>Starts a run now (or joins the one starting now) and completes when it has finished; a failed run throws.</summary>
    Task RunNowAsync(CancellationToken ct);
}

/// <summary>Names of the housekeeping tasks other modules ask to run now.</summary>
public static class HousekeepingTasks
{
    /// <summary>The indexer's removal of the events of files marked deleted.</summary>
    public const string DeletedFiles = "deleted files";

    /// <summary>The aggregator's removal of the KPI windows of deleted files.</summary>
    public const string DeletedFileKpis = "deleted files' KPIs";
}

/// <summary>A periodic maintenance task of a module (retention), run once at start, then every interval or when asked.</summary>
internal sealed partial class Housekeeping(
    string name,
    TimeSpan interval,
    Func<IServiceProvider, CancellationToken, Task> work,
    IServiceProvider services,
    ILogger<Housekeeping> logger) : BackgroundService, IHousekeepingTask
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>The run that starts next; whoever asks for a run waits for this one.</summary>
    private TaskCompletionSource _nextRun = NewRun();

    public Task RunNowAsync(CancellationToken ct)
    {
        var run = Volatile.Read(ref _nextRun).Task;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A run has been asked for already.
        }

        return run.WaitAsync(ct);
    }

    public override void Dispose()
    {
        base.Dispose();
        _wake.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                // This run serves every request made so far: their wake-up is taken before the run is handed over,
                // so a request that arrives once this run has started waits for the next run and its wake-up starts it.
                _wake.Wait(0, CancellationToken.None);
                var run = Interlocked.Exchange(ref _nextRun, NewRun());
                try
                {
                    await work(services, stoppingToken).ConfigureAwait(false);
                    run.TrySetResult();
                }
                catch (OperationCanceledException)
                {
                    run.TrySetCanceled(stoppingToken);
                    throw;
                }
                catch (Exception ex)
                {
                    LogFailed(logger, name, ex);
                    run.TrySetException(ex);
                }

                await _wake.WaitAsync(interval, stoppingToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Read(ref _nextRun).TrySetCanceled(stoppingToken);
        }
    }

    private static TaskCompletionSource NewRun() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(LogLevel.Warning, "Housekeeping task {Name} failed; it runs again at its next interval")]
    private static partial void LogFailed(ILogger logger, string name, Exception ex);
}

public static class HousekeepingExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> at start, then every <paramref name="interval"/> and whenever the
    /// <see cref="IHousekeepingTask"/> keyed by <paramref name="name"/> is asked to; failures are logged, never fatal.
    /// </summary>
    public static IServiceCollection AddHousekeeping(this IServiceCollection services, string name, TimeSpan interval, Func<IServiceProvider, CancellationToken, Task> work)
    {
        services.AddKeyedSingleton<IHousekeepingTask>(name, (sp, _) => new Housekeeping(name, interval, work, sp, sp.GetRequiredService<ILogger<Housekeeping>>()));
        return services.AddSingleton<IHostedService>(sp => (Housekeeping)sp.GetRequiredKeyedService<IHousekeepingTask>(name));
    }

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
