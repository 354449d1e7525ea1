using System.Text.Json;
using Lucene.Net.Index;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Embedded.Search;

/// <summary>Reads only the stored JSON source of a hit and rebuilds its event.</summary>
internal sealed class SourceVisitor : StoredFieldVisitor
{
    private LogEvent? _event;

    public override Status NeedsField(FieldInfo fieldInfo) =>
        _event is not null ? Status.STOP
        : fieldInfo.Name == IndexFields.Source ? Status.YES
        : Status.NO;

    public override void BinaryField(FieldInfo fieldInfo, byte[] value) =>
        _event = JsonSerializer.Deserialize(value, LogEventJson.Event);

    /// <summary>The event of the document just visited.</summary>
    public LogEvent TakeEvent()
    {
        var e = _event ?? throw new InvalidDataException("An indexed document has no stored source.");
        _event = null;
        return e;
    }
}
