using System.Runtime.InteropServices;
using System.Text;
using SaasMonitor.Core;
using SaasMonitor.Kafka;

namespace SaasMonitor.Testing;

/// <summary>
/// A Kafka-protocol cluster on loopback for tests: librdkafka's mock cluster, held in memory and listening on real TCP
/// ports, so this process and others (workers started by a test, kcat) reach it through <see cref="BootstrapServers"/>.
/// It serves produce, consumer groups, commits, offset fetches and watermarks; it does not create topics through the
/// admin API (use <see cref="CreateTopic"/>), describe groups, look up offsets by time, or alter a group's offsets.
/// </summary>
public sealed unsafe class KafkaTestBroker : IDisposable
{
    private const int ProducerClient = 0;
    private const int TopicAlreadyExists = 36;

    private static readonly Lazy<Native> Functions = new(() => new Native(RdKafkaLibrary.Handle));

    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private bool _disposed;

    /// <param name="brokers">Brokers in the cluster (replicas of a topic cannot outnumber them).</param>
    /// <param name="initialRebalanceDelay">How long a new group waits for more members before its first assignment (Kafka's default is 3 s).</param>
    public KafkaTestBroker(int brokers = 3, TimeSpan? initialRebalanceDelay = null)
    {
        var native = Functions.Value;

        // A client with no bootstrap servers: it only hosts the cluster's threads.
        var conf = native.ConfNew();
        var error = stackalloc byte[512];
        _client = native.New(ProducerClient, conf, error, 512);
        if (_client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"librdkafka could not create the client hosting the test broker: {Marshal.PtrToStringUTF8((IntPtr)error)}");
        }

        _cluster = native.MockClusterNew(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            native.Destroy(_client);
            throw new InvalidOperationException("librdkafka could not start its mock cluster.");
        }

        native.MockGroupInitialRebalanceDelayMs(_cluster, (int)(initialRebalanceDelay ?? TimeSpan.FromSeconds(3)).TotalMilliseconds);
        BootstrapServers = Marshal.PtrToStringUTF8(native.MockClusterBootstraps(_cluster))!;
    }

    /// <summary>The brokers' addresses, "127.0.0.1:port,..." (librdkafka's bootstrap.servers).</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic; one that already exists is left as it is.</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        int error;
        fixed (byte* topic = bytes)
        {
            error = Functions.Value.MockTopicCreate(_cluster, topic, partitions, replicationFactor);
        }

        if (error is not (0 or TopicAlreadyExists))
        {
            throw new InvalidOperationException($"The test broker could not create topic '{name}' (Kafka error code {error}).");
        }
    }

    /// <summary>
    /// Creates the pipeline's topics (default names) with the layout the hosts' start-up check expects: raw and events
    /// with <paramref name="partitions"/> partitions, dead letters with one. The mock cluster has no CreateTopics API,
    /// so hosts started against it only verify these.
    /// </summary>
    public void CreatePipelineTopics(int partitions, int replicationFactor)
    {
        CreateTopic(Topics.Raw, partitions, replicationFactor);
        CreateTopic(Topics.Events, partitions, replicationFactor);
        CreateTopic(Topics.DeadLetter, 1, replicationFactor);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Functions.Value.MockClusterDestroy(_cluster);
            Functions.Value.Destroy(_client);
        }
    }

    /// <summary>The librdkafka functions the test broker calls, from the library the Kafka adapter loaded.</summary>
    private sealed class Native(IntPtr library)
    {
        public readonly delegate* unmanaged<IntPtr> ConfNew = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_conf_new");
        public readonly delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr> New = (delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_new");
        public readonly delegate* unmanaged<IntPtr, void> Destroy = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_destroy");
        public readonly delegate* unmanaged<IntPtr, int, IntPtr> MockClusterNew = (delegate* unmanaged<IntPtr, int, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_new");
        public readonly delegate* unmanaged<IntPtr, void> MockClusterDestroy = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_destroy");
        public readonly delegate* unmanaged<IntPtr, IntPtr> MockClusterBootstraps = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_mock_cluster_bootstraps");
        public readonly delegate* unmanaged<IntPtr, byte*, int, int, int> MockTopicCreate = (delegate* unmanaged<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create");
        public readonly delegate* unmanaged<IntPtr, int, void> MockGroupInitialRebalanceDelayMs = (delegate* unmanaged<IntPtr, int, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_group_initial_rebalance_delay_ms");
    }
}
