using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Kafka;

namespace SaasMonitor.Hosting;

/// <summary>Opens the bus <see cref="SaasMonitorOptions.Bus"/> names: for the server's modules and for operator commands.</summary>
public static class BusFactory
{
    public static IMessageBus Create(SaasMonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Bus == "Kafka")
        {
            return new KafkaBus(options.Kafka);
        }

        Directory.CreateDirectory(options.DataDirectory);
        return new JournalBus(new JournalOptions { Directory = Path.Combine(options.DataDirectory, "journal"), FsyncOnCommit = options.Fsync });
    }
}
