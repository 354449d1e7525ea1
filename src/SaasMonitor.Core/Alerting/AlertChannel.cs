namespace SaasMonitor.Core.Alerting;

public enum ChannelType
{
    /// <summary>A JSON POST signed with X-SaasMonitor-Signature.</summary>
    Webhook,
    /// <summary>A Slack incoming webhook (Block Kit message).</summary>
    Slack,
    /// <summary>E-mail over SMTP.</summary>
    Email,
}

/// <summary>How an SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it (TLS on connect on port 465).</summary>
    Auto,
    None,
    StartTls,
    Tls,
}

/// <summary>
/// Where notifications go. <see cref="ProtectedSecret"/> (the webhook's signing secret, or the SMTP password) is held
/// encrypted: the store never sees it in clear, and it is never answered.
/// </summary>
public sealed record AlertChannel
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public ChannelType Type { get; init; }
    /// <summary>Webhook and Slack: the address posted to.</summary>
    public string? Url { get; init; }
    public string? ProtectedSecret { get; init; }
    public string? SmtpHost { get; init; }
    public int SmtpPort { get; init; }
    public SmtpSecurity SmtpSecurity { get; init; }
    public string? SmtpUser { get; init; }
    public string? From { get; init; }
    public IReadOnlyList<string> To { get; init; } = [];
    public DateTimeOffset UpdatedAt { get; init; }
    public string? UpdatedBy { get; init; }
}
