using System.ComponentModel.DataAnnotations;

namespace SaasMonitor.Kafka;

/// <summary>Configuration section "SaasMonitor:Kafka": how to reach the Kafka cluster that carries the bus.</summary>
public sealed class KafkaOptions
{
    public const string Section = "SaasMonitor:Kafka";

    /// <summary>Comma-separated host:port list of brokers (librdkafka's bootstrap.servers).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "The Kafka bus needs the brokers to connect to: set SaasMonitor:Kafka:BootstrapServers (host:port, comma-separated).")]
    public string BootstrapServers { get; set; } = "";

    /// <summary>Replicas of each topic created at start-up; an existing topic with fewer is refused.</summary>
    [Range(1, short.MaxValue, ErrorMessage = "SaasMonitor:Kafka:ReplicationFactor must be 1 or more.")]
    public short ReplicationFactor { get; set; } = 1;

    /// <summary>How long the cluster may take to answer a metadata or admin request before it counts as unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "SaasMonitor:Kafka:RequestTimeout must be between 1 second and 1 hour.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>URL of a Confluent Schema Registry; when set, JSON messages are framed with registered schema ids.</summary>
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>Further librdkafka properties applied to every client (e.g. "security.protocol", "session.timeout.ms").</summary>
    public Dictionary<string, string> Client { get; set; } = [];
}
