using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Tests.Journal;

namespace SaasMonitor.Tests.Conformance;

/// <summary>The bus conformance suite against the embedded journal, one fresh directory per bus.</summary>
public sealed class JournalBusConformanceTests : BusConformanceTests, IDisposable
{
    private readonly List<JournalDirectory> _directories = [];

    protected override Task<IMessageBus> CreateBusAsync()
    {
        var directory = new JournalDirectory();
        _directories.Add(directory);
        return Task.FromResult<IMessageBus>(new JournalBus(directory.Options()));
    }

    public void Dispose() => _directories.ForEach(directory => directory.Dispose());
}
