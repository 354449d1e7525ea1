using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Validation;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Contracts;

/// <summary>The embedded message schemas as NJsonSchema validators, and headers seen as the JSON objects the header schemas describe.</summary>
internal static class ContractSchemas
{
    private static readonly ConcurrentDictionary<MessageSchema, Task<JsonSchema>> Loaded = new();

    public static Task<JsonSchema> LoadAsync(MessageSchema schema) =>
        Loaded.GetOrAdd(schema, s => JsonSchema.FromJsonAsync(s.ReadText()));

    /// <summary>Headers as one JSON object of UTF-8 strings (a repeated key keeps its last value, as a map of headers would).</summary>
    public static string HeadersAsJson(IReadOnlyList<MessageHeader> headers)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in headers)
        {
            map[h.Key] = Encoding.UTF8.GetString(h.Value.Span);
        }

        return JsonSerializer.Serialize(map);
    }

    /// <summary>Validation errors, each as "path: kind", so a failed assertion says what broke.</summary>
    public static async Task<IReadOnlyList<string>> ErrorsAsync(MessageSchema schema, string json)
    {
        var validator = await LoadAsync(schema);
        return [.. validator.Validate(json).Select(Describe)];
    }

    private static string Describe(ValidationError e) => $"{e.Path}: {e.Kind}";
}
