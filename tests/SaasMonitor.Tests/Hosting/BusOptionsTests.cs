using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting;
using SaasMonitor.Kafka;

namespace SaasMonitor.Tests.Hosting;

public sealed class BusOptionsTests
{
    [Fact]
    public void The_Kafka_bus_without_bootstrap_servers_is_refused_with_one_sentence_naming_the_setting()
    {
        var options = () => Options("--SaasMonitor:Bus=Kafka");

        options.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().Contain("SaasMonitor:Kafka:BootstrapServers");
    }

    [Fact]
    public void The_Kafka_bus_accepts_a_process_running_only_some_modules()
    {
        var options = Options("--SaasMonitor:Bus=Kafka", "--SaasMonitor:Kafka:BootstrapServers=kafka-1:9092,kafka-2:9092", "--SaasMonitor:Kafka:ReplicationFactor=3");

        options.Kafka.BootstrapServers.Should().Be("kafka-1:9092,kafka-2:9092");
        options.Kafka.ReplicationFactor.Should().Be(3);
    }

    [Fact]
    public void An_unknown_bus_is_refused_naming_the_choices()
    {
        var options = () => Options("--SaasMonitor:Bus=Rabbit");

        options.Should().Throw<OptionsValidationException>().WithMessage("*must be Embedded or Kafka*");
    }

    [Fact]
    public async Task The_bus_factory_opens_Kafka_when_configured()
    {
        await using var bus = BusFactory.Create(new SaasMonitorOptions { Bus = "Kafka", Kafka = new KafkaOptions { BootstrapServers = "127.0.0.1:9092" } });

        bus.Should().BeOfType<KafkaBus>();
    }

    /// <summary>The validated options of a process that runs the parser module only.</summary>
    private static SaasMonitorOptions Options(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--SaasMonitor:DataDirectory=" + Path.GetTempPath(), .. args] });
        builder.AddSaasMonitorDefaults();
        builder.Services.AddPipelineModule(PipelineModule.Parser);
        using var app = builder.Build();
        return app.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value;
    }
}
