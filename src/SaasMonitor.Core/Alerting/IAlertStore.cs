namespace SaasMonitor.Core.Alerting;

/// <summary>
/// Alert rules, channels, silences, instance state, history and the notification outbox. Implemented by the embedded
/// SQLite store (and by MongoDB in the distributed shape). Saves are upserts by id.
/// </summary>
public interface IAlertStore
{
    Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken ct);

    Task<AlertRule?> GetRuleAsync(string id, CancellationToken ct);

    Task SaveRuleAsync(AlertRule rule, CancellationToken ct);

    /// <summary>Removes the rule with its instances; false when there is no such rule.</summary>
    Task<bool> DeleteRuleAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<AlertChannel>> ListChannelsAsync(CancellationToken ct);

    Task<AlertChannel?> GetChannelAsync(string id, CancellationToken ct);

    Task SaveChannelAsync(AlertChannel channel, CancellationToken ct);

    Task<bool> DeleteChannelAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<Silence>> ListSilencesAsync(CancellationToken ct);

    Task SaveSilenceAsync(Silence silence, CancellationToken ct);

    Task<bool> DeleteSilenceAsync(string id, CancellationToken ct);

    /// <summary>Instances of one rule, or of every rule when <paramref name="ruleId"/> is null.</summary>
    Task<IReadOnlyList<AlertInstance>> ListInstancesAsync(string? ruleId, CancellationToken ct);

    /// <summary>Stores evaluations' instances, removals, transitions and notifications in ONE transaction.</summary>
    Task ApplyAsync(IReadOnlyList<AlertEvaluation> evaluations, CancellationToken ct);

    /// <summary>Transitions, newest first: of one rule or all, older than <paramref name="before"/> (an id) when given.</summary>
    Task<IReadOnlyList<AlertTransition>> ListHistoryAsync(string? ruleId, long? before, int limit, CancellationToken ct);

    /// <summary>Queues a notification outside an evaluation (a channel's "send test"); returns it with its id.</summary>
    Task<AlertNotification> EnqueueAsync(AlertNotification notification, CancellationToken ct);

    /// <summary>Pending notifications whose next attempt is due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<AlertNotification>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Records an attempt's outcome (status, attempts, next attempt, error, sent time) by id.</summary>
    Task UpdateDeliveryAsync(AlertNotification notification, CancellationToken ct);

    /// <summary>Notifications newest first, of one rule and/or channel when given.</summary>
    Task<IReadOnlyList<AlertNotification>> ListNotificationsAsync(string? ruleId, string? channelId, int limit, CancellationToken ct);
}
