using System.ComponentModel.DataAnnotations;

namespace SaasMonitor.Hosting;

/// <summary>
/// Configuration section "SaasMonitor": where data lives, the topics and their retention. Which engine serves each
/// port (Bus, Search, Store, Cache) is chosen when the host is composed; each engine reads its own keys.
/// </summary>
public sealed class SaasMonitorOptions : IValidatableObject
{
    public const string Section = "SaasMonitor";

    /// <summary>The bus that lives inside one process, so every module must run in that process.</summary>
    public const string EmbeddedBus = "Embedded";

    /// <summary>Folder of this process's data (the embedded engines' files, the data-protection keys). Also set by SAASMON_DATA_DIR.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Engine of the bus: Embedded (durable journal in this process) or Kafka.</summary>
    public string Bus { get; set; } = EmbeddedBus;

    /// <summary>Partitions of each topic: the most workers of one kind that can share the work.</summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 4;

    /// <summary>Days the bus keeps raw records and events (by append time); replays reach this far back.</summary>
    [Range(1, 3650)]
    public int BusRetentionDays { get; set; } = 7;

    /// <summary>
    /// Days of events kept in the index and as minute KPI windows, by event time (whole days are dropped);
    /// 0 keeps them forever, so uploaded historical logs stay searchable.
    /// </summary>
    [Range(0, 36500)]
    public int EventRetentionDays { get; set; }

    /// <summary>Free space on the data folder's disk under which readiness reports the disk down.</summary>
    [Range(0, long.MaxValue)]
    public long MinFreeDiskBytes { get; set; } = 64L * 1024 * 1024;

    public TopicNames Topics { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string?[] names = [Topics.Raw, Topics.Events, Topics.DeadLetter];
        if (names.Any(string.IsNullOrWhiteSpace) || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            yield return new ValidationResult("SaasMonitor:Topics:Raw, Events and DeadLetter must name three different topics.");
        }
    }
}

public sealed class TopicNames
{
    public string Raw { get; set; } = SaasMonitor.Core.Topics.Raw;

    public string Events { get; set; } = SaasMonitor.Core.Topics.Events;

    public string DeadLetter { get; set; } = SaasMonitor.Core.Topics.DeadLetter;
}
