using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Hosting;

/// <summary>Creates the pipeline's topics before any module starts.</summary>
internal sealed class TopicSetup(IMessageBus bus, IOptions<SaasMonitorOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var retention = TimeSpan.FromDays(o.BusRetentionDays);
        await bus.EnsureTopicAsync(new TopicSpec(o.Topics.Raw, o.Partitions) { RetentionTime = retention }, cancellationToken).ConfigureAwait(false);
        await bus.EnsureTopicAsync(new TopicSpec(o.Topics.Events, o.Partitions) { RetentionTime = retention }, cancellationToken).ConfigureAwait(false);
        await bus.EnsureTopicAsync(new TopicSpec(o.Topics.DeadLetter, 1) { RetentionTime = retention * 4 }, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
