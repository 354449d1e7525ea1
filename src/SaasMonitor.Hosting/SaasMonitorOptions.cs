using System.ComponentModel.DataAnnotations;
using SaasMonitor.Core;
using SaasMonitor.Kafka;

namespace SaasMonitor.Hosting;

/// <summary>Configuration section "SaasMonitor": where data lives and which engine serves each port.</summary>
public sealed class SaasMonitorOptions
{
    public const string Section = "SaasMonitor";

    /// <summary>Folder of the embedded engines' data (journal, index, database, uploaded files). Also set by SAASMON_DATA_DIR.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Engine of the bus: Embedded (durable journal in this process) or Kafka (the cluster <see cref="Kafka"/> names).</summary>
    [RegularExpression("^(Embedded|Kafka)$", ErrorMessage = "SaasMonitor:Bus must be Embedded or Kafka.")]
    public string Bus { get; set; } = "Embedded";

    /// <summary>The Kafka cluster that carries the bus when <see cref="Bus"/> is Kafka.</summary>
    public KafkaOptions Kafka { get; set; } = new();

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

    /// <summary>When true every commit is fsynced (survives power loss, measured cost in docs/benchmarks.md); otherwise commits survive a process kill.</summary>
    public bool Fsync { get; set; }

    /// <summary>Free space on the data folder's disk under which readiness reports the disk down.</summary>
    [Range(0, long.MaxValue)]
    public long MinFreeDiskBytes { get; set; } = 64L * 1024 * 1024;

    public TopicNames Topics { get; set; } = new();
}

public sealed class TopicNames
{
    [Required]
    public string Raw { get; set; } = SaasMonitor.Core.Topics.Raw;

    [Required]
    public string Events { get; set; } = SaasMonitor.Core.Topics.Events;

    [Required]
    public string DeadLetter { get; set; } = SaasMonitor.Core.Topics.DeadLetter;
}
