using System.Text;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Core.Events;

/// <summary>What a <see cref="MessageSchema"/> describes.</summary>
public enum SchemaTarget
{
    /// <summary>The message value is JSON that follows the schema.</summary>
    Value,
    /// <summary>The message headers, read as an object of UTF-8 strings, follow the schema; the value is opaque bytes.</summary>
    Headers,
    /// <summary>A row of an uploaded file (not a bus message).</summary>
    UploadRow,
}

/// <summary>
/// One versioned message contract: a JSON Schema from /schemas, named as its file ("logs.events.v1").
/// Messages say which one they follow in the <see cref="MessageSchemas.HeaderName"/> header.
/// </summary>
public sealed class MessageSchema
{
    private readonly byte[] _headerValue;

    internal MessageSchema(string name, SchemaTarget target)
    {
        Name = name;
        Target = target;
        _headerValue = Encoding.UTF8.GetBytes(name);
        Header = new MessageHeader(MessageSchemas.HeaderName, _headerValue);
    }

    /// <summary>"{contract}.v{version}", e.g. "logs.events.v1"; also the header value and the schema file's name.</summary>
    public string Name { get; }

    public SchemaTarget Target { get; }

    /// <summary>The pre-encoded <c>schema: {Name}</c> header, shared by every message that carries it.</summary>
    public MessageHeader Header { get; }

    /// <summary>The JSON Schema text (draft 2020-12).</summary>
    public string ReadText()
    {
        using var stream = typeof(MessageSchema).Assembly.GetManifestResourceStream("SaasMonitor.Schemas." + Name + ".json")
            ?? throw new InvalidOperationException($"The schema {Name} is not embedded in {typeof(MessageSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>True when a header value names this schema.</summary>
    internal bool IsNamedBy(ReadOnlySpan<byte> headerValue) => headerValue.SequenceEqual(_headerValue);

    public override string ToString() => Name;
}

/// <summary>The message contracts of the product and the header that names them.</summary>
public static class MessageSchemas
{
    /// <summary>Header carrying the schema a message follows, value "{contract}.v{version}".</summary>
    public const string HeaderName = "schema";

    /// <summary>Headers of a raw record on the raw topic.</summary>
    public static MessageSchema Raw { get; } = new("logs.raw.v1", SchemaTarget.Headers);

    /// <summary>The JSON value of a <see cref="LogEvent"/> on the events topic.</summary>
    public static MessageSchema Events { get; } = new("logs.events.v1", SchemaTarget.Value);

    /// <summary>Headers of a dead letter on the dead-letter topic.</summary>
    public static MessageSchema DeadLetter { get; } = new("logs.dlq.v1", SchemaTarget.Headers);

    /// <summary>A row of an uploaded CSV file or an object of an uploaded JSON file.</summary>
    public static MessageSchema UploadRow { get; } = new("upload.csv.v1", SchemaTarget.UploadRow);

    private static readonly MessageSchema[] AllSchemas = [Raw, Events, DeadLetter, UploadRow];

    public static IReadOnlyList<MessageSchema> All => AllSchemas;

    /// <summary>The schema a message's <see cref="HeaderName"/> header names, or null when it has none or names an unknown one.</summary>
    public static MessageSchema? Of(IReadOnlyList<MessageHeader> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i].Key != HeaderName)
            {
                continue;
            }

            var value = headers[i].Value.Span;
            foreach (var schema in AllSchemas)
            {
                if (schema.IsNamedBy(value))
                {
                    return schema;
                }
            }

            return null;
        }

        return null;
    }
}
