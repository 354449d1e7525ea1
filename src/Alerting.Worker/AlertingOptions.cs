using System.ComponentModel.DataAnnotations;

namespace Alerting.Worker;

/// <summary>Configuration section "SaasMonitor:Alerting".</summary>
public sealed class AlertingOptions
{
    public const string Section = "SaasMonitor:Alerting";

    /// <summary>How often every rule is evaluated. With the index's one-second refresh this bounds ingest → notification.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the outbox is checked for notifications due (new ones are sent at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan DeliveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per notification before it is marked failed; waits double from <see cref="RetryDelay"/>.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lets webhooks and Slack post to loopback, private and link-local addresses (off: such targets are refused, against SSRF).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>The dashboard's address as people reach it, for the links in notifications.</summary>
    [Required]
    public string PublicUrl { get; set; } = "http://localhost:5000";

    /// <summary>Matching events quoted in a firing notification.</summary>
    [Range(0, 20)]
    public int SampleEvents { get; set; } = 3;
}
