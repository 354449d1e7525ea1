using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Kafka;

public static class KafkaRegistration
{
    /// <summary>The bus on the Kafka cluster that section "SaasMonitor:Kafka" names, checked at start.</summary>
    public static IHostApplicationBuilder AddKafkaBus(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KafkaOptions>()
            .Bind(builder.Configuration.GetSection(KafkaOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IMessageBus>(sp => new KafkaBus(sp.GetRequiredService<IOptions<KafkaOptions>>().Value));
        return builder;
    }
}
