namespace SaasMonitor.Core.Alerting;

public enum DeliveryStatus
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,
    Sent,
    /// <summary>Every attempt failed; <see cref="AlertNotification.LastError"/> says why.</summary>
    Failed,
    /// <summary>Recorded, not sent: a silence or maintenance window covered it.</summary>
    Silenced,
}

/// <summary>
/// One message to one channel in the outbox: queued in the same transaction as the state change it reports, then
/// sent (with retries and back-off) by the dispatcher, so a restart neither loses nor repeats it.
/// </summary>
public sealed record AlertNotification
{
    public long Id { get; init; }
    public required string RuleId { get; init; }
    public required string ChannelId { get; init; }
    public NotificationKind Kind { get; init; }
    /// <summary>The message (<c>AlertMessage</c> as JSON), written once at queueing.</summary>
    public required string Payload { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DeliveryStatus Status { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>What one evaluation of one rule changed: written in one transaction.</summary>
public sealed record AlertEvaluation(
    string RuleId,
    IReadOnlyList<AlertInstance> Instances,
    IReadOnlyList<string> RemovedGroupKeys,
    IReadOnlyList<AlertTransition> Transitions,
    IReadOnlyList<AlertNotification> Notifications);
