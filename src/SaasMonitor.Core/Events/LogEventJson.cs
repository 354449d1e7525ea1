using System.Text.Json.Serialization;

namespace SaasMonitor.Core.Events;

/// <summary>The JSON form of <see cref="LogEvent"/> on the events topic (schemas/logs.events.v1.json), source-generated.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogEvent))]
public sealed partial class LogEventJson : JsonSerializerContext;
