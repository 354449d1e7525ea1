using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;

namespace Alerting.Worker;

/// <summary>Wakes the outbox's sender when something was queued in this process, so it need not wait for its next round.</summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _queued = new(0, 1);

    public void Queued()
    {
        if (_queued.CurrentCount == 0)
        {
            try
            {
                _queued.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _queued.WaitAsync(timeout, ct);
}

/// <summary>Evaluates every rule at the configured interval.</summary>
internal sealed partial class EvaluationService(AlertEvaluator evaluator, OutboxSignal signal, IOptions<AlertingOptions> options, TimeProvider time, ILogger<EvaluationService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, time);
        do
        {
            try
            {
                if (await evaluator.EvaluateAllAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                    signal.Queued();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCycleFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(LogLevel.Error, "An alert evaluation cycle failed; the next one runs at the usual interval")]
    private static partial void LogCycleFailed(ILogger logger, Exception e);
}

/// <summary>
/// Sends the outbox: each due notification to its channel, marked sent on success; a failure is retried with
/// doubling waits up to <see cref="AlertingOptions.MaxAttempts"/>, then marked failed with its reason. Channels are
/// served side by side (each in its messages' order), so a slow or unreachable one (an SMTP server timing out) does
/// not hold back the others.
/// </summary>
internal sealed partial class OutboxSender(IAlertStore store, Notifier notifier, OutboxSignal signal, IOptions<AlertingOptions> options, TimeProvider time, ILogger<OutboxSender> logger)
    : BackgroundService
{
    /// <summary>Channels sent to at the same time.</summary>
    private const int ChannelsAtOnce = 8;

    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var due = await store.ListDueAsync(time.GetUtcNow(), 100, ct).ConfigureAwait(false);
        await Parallel.ForEachAsync(
            due.GroupBy(n => n.ChannelId),
            new ParallelOptions { MaxDegreeOfParallelism = ChannelsAtOnce, CancellationToken = ct },
            async (channel, token) =>
            {
                foreach (var notification in channel)
                {
                    await store.UpdateDeliveryAsync(await DeliverAsync(notification, token).ConfigureAwait(false), token).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return due.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken).ConfigureAwait(false);
                await signal.WaitAsync(options.Value.DeliveryInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
                await Task.Delay(options.Value.DeliveryInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The same for every attempt at one outbox entry.</summary>
    internal static string DeliveryId(AlertNotification notification) => notification.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<AlertNotification> DeliverAsync(AlertNotification notification, CancellationToken ct)
    {
        var o = options.Value;
        var attempts = notification.Attempts + 1;
        try
        {
            var channel = await store.GetChannelAsync(notification.ChannelId, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The channel '{notification.ChannelId}' no longer exists.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await notifier.SendAsync(channel, AlertMessage.FromJson(notification.Payload), DeliveryId(notification), timeout.Token).ConfigureAwait(false);
            return notification with { Status = DeliveryStatus.Sent, Attempts = attempts, SentAt = time.GetUtcNow(), LastError = null };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogDeliveryFailed(logger, notification.Id, notification.ChannelId, attempts, e.Message);
            var wait = o.RetryDelay * Math.Pow(2, Math.Min(attempts - 1, 10));
            return notification with
            {
                Status = attempts >= o.MaxAttempts ? DeliveryStatus.Failed : DeliveryStatus.Pending,
                Attempts = attempts,
                NextAttemptAt = time.GetUtcNow() + (wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait),
                LastError = e.Message,
            };
        }
    }

    [LoggerMessage(LogLevel.Warning, "Notification {Id} to channel {Channel} failed (attempt {Attempt}): {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, long id, string channel, int attempt, string reason);

    [LoggerMessage(LogLevel.Error, "A round of the notification outbox failed; retrying")]
    private static partial void LogRoundFailed(ILogger logger, Exception e);
}
