using System.Buffers.Binary;
using System.Collections.Concurrent;
using Confluent.SchemaRegistry;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Kafka;

/// <summary>
/// Confluent Schema Registry wire format for the bus's JSON-valued messages. On produce, a message whose
/// <see cref="MessageSchemas.HeaderName"/> header names a value schema (logs.events.v1) has that schema registered
/// under the subject "{topic}-value" (once per topic; ids are cached) and its value framed as
/// byte 0, the 4-byte big-endian schema id, then the JSON. Messages whose value is opaque (raw records, dead letters)
/// pass unchanged. On consume, <see cref="Unframe"/> strips the frame, so JSON written with Confluent's serializers is read as plain JSON.
/// </summary>
internal sealed class SchemaRegistryFraming : IDisposable
{
    /// <summary>Magic byte plus schema id.</summary>
    internal const int FrameLength = 5;

    private const byte MagicByte = 0;

    private readonly ISchemaRegistryClient _registry;
    private readonly ConcurrentDictionary<(string Topic, MessageSchema Schema), int> _ids = new();

    /// <summary>Frames with the given registry client, which this instance then owns and disposes.</summary>
    public SchemaRegistryFraming(ISchemaRegistryClient registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>The framing for <see cref="KafkaOptions.SchemaRegistryUrl"/>, or null when no registry is configured.</summary>
    public static SchemaRegistryFraming? Create(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.SchemaRegistryUrl)
            ? null
            : new SchemaRegistryFraming(new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = options.SchemaRegistryUrl }));
    }

    /// <summary>The value to send for a message: framed with its schema id when its schema header names a value schema, else unchanged.</summary>
    public ValueTask<ReadOnlyMemory<byte>> FrameAsync(string topic, IReadOnlyList<MessageHeader> headers, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var schema = MessageSchemas.Of(headers);
        if (schema is not { Target: SchemaTarget.Value })
        {
            return ValueTask.FromResult(value);
        }

        return _ids.TryGetValue((topic, schema), out var id)
            ? ValueTask.FromResult(Frame(id, value.Span))
            : RegisterThenFrameAsync(topic, schema, value, ct);
    }

    /// <summary>The JSON inside a value in Confluent's wire format, or the value itself when it is not framed.</summary>
    /// <remarks>Log payloads (JSON, CSV, text) never start with a zero byte, so a leading 0 marks a frame.</remarks>
    public static ReadOnlyMemory<byte> Unframe(ReadOnlyMemory<byte> value) =>
        value.Length >= FrameLength && value.Span[0] == MagicByte ? value[FrameLength..] : value;

    public void Dispose() => _registry.Dispose();

    private async ValueTask<ReadOnlyMemory<byte>> RegisterThenFrameAsync(string topic, MessageSchema schema, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        var id = await _registry
            .RegisterSchemaAsync(topic + "-value", new Schema(schema.ReadText(), SchemaType.Json))
            .WaitAsync(ct)
            .ConfigureAwait(false);
        _ids[(topic, schema)] = id;
        return Frame(id, value.Span);
    }

    private static ReadOnlyMemory<byte> Frame(int schemaId, ReadOnlySpan<byte> json)
    {
        var framed = new byte[FrameLength + json.Length];
        framed[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), schemaId);
        json.CopyTo(framed.AsSpan(FrameLength));
        return framed;
    }
}
