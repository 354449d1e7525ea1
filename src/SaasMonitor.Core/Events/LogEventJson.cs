using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SaasMonitor.Core.Events;

/// <summary>The JSON form of <see cref="LogEvent"/> on the events topic (schemas/logs.events.v1.json), source-generated.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogEvent))]
public sealed partial class LogEventJson : JsonSerializerContext
{
    /// <summary>
    /// How events are written on the bus and kept as the index's stored source: escaping only what JSON requires, so
    /// a quote in the raw line is <c>\"</c> rather than <c>\u0022</c> and non-ASCII text stays as UTF-8. A raw JSON
    /// line is about half as long this way. The result is never embedded in HTML; readers accept either form.
    /// </summary>
    public static JsonTypeInfo<LogEvent> Event => Relaxed.Event;

    // Its own class, so it is built after the generated Default it copies the options of.
    private static class Relaxed
    {
        public static readonly JsonTypeInfo<LogEvent> Event =
            new LogEventJson(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).LogEvent;
    }
}
