using System.Text.Json;
using Elastic.Transport;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Elasticsearch;

/// <summary>An event as the bulk request carries it: its JSON form from the events topic when given, else the event written out.</summary>
internal readonly record struct EventDocument(LogEvent Event, ReadOnlyMemory<byte> Json);

/// <summary>
/// The client's serializer of documents: an event's <c>_source</c> is its JSON form on the events topic
/// (<see cref="LogEventJson"/>), written as the topic's bytes when the indexer has them, so nothing is serialised twice.
/// Every other type goes to the client's own serializer.
/// </summary>
internal sealed class EventSourceSerializer(Serializer builtIn) : Serializer
{
    public override object? Deserialize(Type type, Stream stream) =>
        type == typeof(LogEvent) ? JsonSerializer.Deserialize(stream, LogEventJson.Event) : builtIn.Deserialize(type, stream);

    public override T Deserialize<T>(Stream stream) => (T)Deserialize(typeof(T), stream)!;

    public override async ValueTask<object?> DeserializeAsync(Type type, Stream stream, CancellationToken cancellationToken = default) =>
        type == typeof(LogEvent)
            ? await JsonSerializer.DeserializeAsync(stream, LogEventJson.Event, cancellationToken).ConfigureAwait(false)
            : await builtIn.DeserializeAsync(type, stream, cancellationToken).ConfigureAwait(false);

    public override async ValueTask<T> DeserializeAsync<T>(Stream stream, CancellationToken cancellationToken = default) =>
        (T)(await DeserializeAsync(typeof(T), stream, cancellationToken).ConfigureAwait(false))!;

    public override void Serialize<T>(T data, Stream writableStream, SerializationFormatting formatting = SerializationFormatting.None)
    {
        switch (data)
        {
            case EventDocument document:
                Write(document, writableStream);
                break;
            case LogEvent e:
                JsonSerializer.Serialize(writableStream, e, LogEventJson.Event);
                break;
            default:
                builtIn.Serialize(data, writableStream, formatting);
                break;
        }
    }

    public override void Serialize(object? data, Type type, Stream stream, SerializationFormatting formatting = SerializationFormatting.None, CancellationToken cancellationToken = default)
    {
        if (data is EventDocument or LogEvent)
        {
            Serialize(data, stream, formatting);
        }
        else
        {
            builtIn.Serialize(data, type, stream, formatting, cancellationToken);
        }
    }

    public override Task SerializeAsync(object? data, Type type, Stream stream, SerializationFormatting formatting = SerializationFormatting.None, CancellationToken cancellationToken = default)
    {
        if (data is EventDocument or LogEvent)
        {
            Serialize(data, stream, formatting);
            return Task.CompletedTask;
        }

        return builtIn.SerializeAsync(data, type, stream, formatting, cancellationToken);
    }

    public override Task SerializeAsync<T>(T data, Stream stream, SerializationFormatting formatting = SerializationFormatting.None, CancellationToken cancellationToken = default)
    {
        if (data is EventDocument or LogEvent)
        {
            Serialize(data, stream, formatting);
            return Task.CompletedTask;
        }

        return builtIn.SerializeAsync(data, stream, formatting, cancellationToken);
    }

    /// <summary>The topic's bytes when they are one line (a bulk body is one document per line), else the event written out.</summary>
    private static void Write(EventDocument document, Stream stream)
    {
        if (!document.Json.IsEmpty && !document.Json.Span.Contains((byte)'\n'))
        {
            stream.Write(document.Json.Span);
        }
        else
        {
            JsonSerializer.Serialize(stream, document.Event, LogEventJson.Event);
        }
    }
}
