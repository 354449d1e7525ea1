using System.Text.Json.Serialization;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Embedded.Search;

/// <summary>The JSON form of an event kept as the document's stored source.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogEvent))]
internal sealed partial class SearchJsonContext : JsonSerializerContext;
