using SaasMonitor.Core.Bus;
using SaasMonitor.Kafka;
using SaasMonitor.Testing;
using Testcontainers.Kafka;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// A real Kafka broker for the suite: the one SAASMON_TEST_KAFKA names, else one started in Docker; without either,
/// <see cref="SkipReason"/> says so and every test is skipped.
/// </summary>
public sealed class RealKafkaFixture : IAsyncLifetime
{
    public const string Variable = "SAASMON_TEST_KAFKA";

    private KafkaContainer? _container;

    public string? BootstrapServers { get; private set; }

    public string? SkipReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } servers)
        {
            BootstrapServers = servers;
        }
        else if (await DockerEngine.AnswersAsync())
        {
            _container = new KafkaBuilder("confluentinc/cp-kafka:7.5.12").Build();
            await _container.StartAsync();
            BootstrapServers = _container.GetBootstrapAddress();
        }
        else
        {
            SkipReason = $"no Kafka broker: set {Variable}=host:port or run with Docker";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

/// <summary>The bus conformance suite against a real Kafka broker, with no test skipped.</summary>
public sealed class RealKafkaBusConformanceTests(RealKafkaFixture fixture) : BusConformanceTests, IClassFixture<RealKafkaFixture>
{
    protected override Task<IMessageBus> CreateBusAsync()
    {
        if (fixture.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return Task.FromResult<IMessageBus>(new KafkaBus(new KafkaOptions
        {
            BootstrapServers = fixture.BootstrapServers!,
            // Kafka's smallest allowed session (group.min.session.timeout.ms defaults to 6 s), with frequent heartbeats.
            Client = new() { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
        }));
    }
}
