using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting;

namespace Alerting.Worker;

public static class AlertingExtensions
{
    /// <summary>The alerting worker: evaluates rules, keeps instance state, sends the notification outbox. Run one per deployment.</summary>
    public static WebApplicationBuilder AddAlerting(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Alerting);
        builder.AddAlertingApi();
        builder.Services.AddSingleton<AlertEvaluator>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxSender>();
        builder.Services.AddHostedService<EvaluationService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxSender>());
        return builder;
    }

    /// <summary>What the alerting API needs in a process that does not evaluate rules itself (the dashboard's host).</summary>
    public static WebApplicationBuilder AddAlertingApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(AlertingApi)))
        {
            return builder;
        }

        services.AddOptions<AlertingOptions>().Bind(builder.Configuration.GetSection(AlertingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ChannelSecrets>();
        services.AddSingleton<TargetGuard>();
        services.AddSingleton<Notifier>();
        services.TryAddSingleton<IRuleSignals, RuleSignals>();
        services.AddSingleton<AlertingApi>();
        services.AddHttpClient(Notifier.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<TargetGuard>().ConnectAsync,
                AllowAutoRedirect = false,
            });
        return builder;
    }
}
