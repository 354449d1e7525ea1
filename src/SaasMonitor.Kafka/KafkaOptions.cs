namespace SaasMonitor.Kafka;

/// <summary>Configuration section "SaasMonitor:Kafka": how to reach the Kafka cluster that carries the bus.</summary>
public sealed class KafkaOptions
{
    /// <summary>Comma-separated host:port list of brokers (librdkafka's bootstrap.servers).</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Replicas of each topic created at start-up; an existing topic with fewer is refused.</summary>
    public short ReplicationFactor { get; set; } = 1;

    /// <summary>How long the cluster may take to answer a metadata or admin request before it counts as unreachable.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>URL of a Confluent Schema Registry; when set, JSON messages are framed with registered schema ids.</summary>
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>Further librdkafka properties applied to every client (e.g. "security.protocol", "session.timeout.ms").</summary>
    public Dictionary<string, string> Client { get; set; } = [];
}
