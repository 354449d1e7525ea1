using System.Buffers;
using System.Text.Json;

namespace Ingest.Gateway.Elasticsearch;

/// <summary>
/// The body of an Elasticsearch <c>_bulk</c> request read as Elasticsearch reads it: newline-delimited pairs of an action
/// line (<c>index</c>, <c>create</c>, <c>update</c>, <c>delete</c>) and, except for delete, a document line. Each
/// <c>index</c> or <c>create</c> document becomes one line of <see cref="Documents"/> with <c>_index</c> added; every
/// action gets its item result in request order, an item that cannot be taken its own error, so one bad document does
/// not refuse the others.
/// </summary>
internal sealed class BulkRequest
{
    private readonly ArrayBufferWriter<byte> _documents = new();

    private BulkRequest()
    {
    }

    /// <summary>The accepted documents, one JSON object per line, each with the <c>_index</c> it was sent to.</summary>
    public ReadOnlyMemory<byte> Documents => _documents.WrittenMemory;

    /// <summary>The result of each action, in request order.</summary>
    public List<BulkItem> Items { get; } = [];

    /// <summary>Reads a bulk body; <paramref name="pathIndex"/> is the index named by <c>/{index}/_bulk</c>, if any.</summary>
    /// <exception cref="InvalidDataException">An action line is malformed, or the body holds no action: the whole request is refused.</exception>
    public static BulkRequest Read(ReadOnlySpan<byte> body, string? pathIndex)
    {
        var request = new BulkRequest();
        var lineNumber = 0;
        while (NextLine(ref body, ref lineNumber, out var actionLine))
        {
            var action = Action.Parse(actionLine, lineNumber, pathIndex);
            if (action.Name == "delete")
            {
                request.Items.Add(BulkItem.Failed(action, "illegal_argument_exception", "delete is not supported: log events are kept as they arrived"));
                continue;
            }

            if (!NextLine(ref body, ref lineNumber, out var document))
            {
                throw new InvalidDataException($"The bulk request ends after the action on line {lineNumber}: a document line must follow it.");
            }

            request.Take(action, document);
        }

        return request.Items.Count > 0 ? request : throw new InvalidDataException("Validation Failed: 1: no requests added; the body holds no bulk action.");
    }

    private void Take(Action action, ReadOnlySpan<byte> document)
    {
        if (action.Name == "update")
        {
            Items.Add(BulkItem.Failed(action, "illegal_argument_exception", "update is not supported: log events are kept as they arrived"));
        }
        else if (action.Index is null)
        {
            Items.Add(BulkItem.Failed(action, "action_request_validation_exception", "Validation Failed: 1: index is missing;"));
        }
        else if (DocumentProblem(document) is { } problem)
        {
            Items.Add(BulkItem.Failed(action, "document_parsing_exception", problem));
        }
        else
        {
            WriteWithIndex(document, action.Index);
            Items.Add(BulkItem.Created(action));
        }
    }

    /// <summary>The document as one line, <c>_index</c> first: <c>{"_index":"logs",</c> and the document's own members.</summary>
    private void WriteWithIndex(ReadOnlySpan<byte> document, string index)
    {
        var members = document.Trim(" \t\r"u8)[1..].TrimStart(" \t"u8);
        _documents.Write("{\"_index\":"u8);
        _documents.Write(JsonSerializer.SerializeToUtf8Bytes(index));
        if (members[0] != '}')
        {
            _documents.Write(","u8);
        }

        _documents.Write(members);
        _documents.Write("\n"u8);
    }

    /// <summary>Why the line is not a document (one JSON object), or null when it is.</summary>
    private static string? DocumentProblem(ReadOnlySpan<byte> document)
    {
        var reader = new Utf8JsonReader(document);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "[1:1] failed to parse: the document is not a JSON object";
            }

            reader.Skip();
            return reader.Read() ? $"failed to parse: unexpected content after the document at byte {reader.TokenStartIndex}" : null;
        }
        catch (JsonException ex)
        {
            return $"failed to parse: {ex.Message}";
        }
    }

    /// <summary>The next non-blank line (its number counted from 1); false at the end of the body.</summary>
    private static bool NextLine(ref ReadOnlySpan<byte> body, ref int lineNumber, out ReadOnlySpan<byte> line)
    {
        while (!body.IsEmpty)
        {
            var newline = body.IndexOf((byte)'\n');
            line = newline < 0 ? body : body[..newline];
            body = newline < 0 ? [] : body[(newline + 1)..];
            lineNumber++;
            if (!line.Trim(" \t\r"u8).IsEmpty)
            {
                return true;
            }
        }

        line = default;
        return false;
    }

    /// <summary>One action line: <c>{"index":{"_index":"logs","_id":"1"}}</c>.</summary>
    internal sealed record Action(string Name, string? Index, string Id)
    {
        public static Action Parse(ReadOnlySpan<byte> line, int lineNumber, string? pathIndex)
        {
            try
            {
                var reader = new Utf8JsonReader(line);
                using var document = JsonDocument.ParseValue(ref reader);
                if (document.RootElement is { ValueKind: JsonValueKind.Object } root
                    && root.EnumerateObject().ToList() is [{ Value.ValueKind: JsonValueKind.Object } action]
                    && action.Name is "index" or "create" or "update" or "delete")
                {
                    return new Action(
                        action.Name,
                        action.Value.TryGetProperty("_index", out var index) && index.ValueKind == JsonValueKind.String ? index.GetString() : pathIndex,
                        action.Value.TryGetProperty("_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : NewId());
                }
            }
            catch (JsonException)
            {
                // Worded below, as Elasticsearch words it.
            }

            throw new InvalidDataException(
                $"Malformed action/metadata line [{lineNumber}]: expected an object with one of index, create, update or delete.");
        }

        /// <summary>An id like the ones Elasticsearch generates (20 URL-safe characters).</summary>
        private static string NewId() => Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..20].Replace('+', '-').Replace('/', '_');
    }
}

/// <summary>The result of one bulk action, as Elasticsearch reports it in the items of its answer.</summary>
internal sealed record BulkItem(string Action, string? Index, string Id, int Status, string? ErrorType, string? ErrorReason)
{
    public static BulkItem Created(BulkRequest.Action action) => new(action.Name, action.Index, action.Id, 201, null, null);

    public static BulkItem Failed(BulkRequest.Action action, string type, string reason) => new(action.Name, action.Index, action.Id, 400, type, reason);
}
