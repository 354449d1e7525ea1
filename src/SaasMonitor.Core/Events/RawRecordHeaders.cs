namespace SaasMonitor.Core.Events;

/// <summary>
/// Header names of a raw record on <see cref="Topics.Raw"/>. A raw record's value holds one or more
/// log records in the format its <see cref="Format"/> header names (see <see cref="RawFormat"/>).
/// Records written by the gateway also carry <see cref="MessageSchemas.HeaderName"/> = <c>logs.raw.v1</c> (<see cref="MessageSchemas.Raw"/>).
/// </summary>
public static class RawRecordHeaders
{
    public const string Format = "format";
    public const string Source = "source";
    public const string FileId = "file-id";
    /// <summary>Unix milliseconds at which the gateway received the record.</summary>
    public const string ReceivedAt = "received-at";
}

/// <summary>
/// Header names of a dead-letter record on <see cref="Topics.DeadLetter"/>, which also carries
/// <see cref="MessageSchemas.HeaderName"/> = <c>logs.dlq.v1</c> (<see cref="MessageSchemas.DeadLetter"/>).
/// </summary>
public static class DeadLetterHeaders
{
    public const string OriginTopic = "origin-topic";
    public const string OriginPartition = "origin-partition";
    public const string OriginOffset = "origin-offset";
    /// <summary>The record's position inside its raw record (line or array element, from 0).</summary>
    public const string OriginIndex = "origin-index";
    public const string ErrorType = "error-type";
    public const string ErrorMessage = "error-message";
    public const string Attempt = "attempt";
    public const string FailedAt = "failed-at";
    public const string WorkerVersion = "worker-version";
}

/// <summary>Payload formats of a raw record.</summary>
public enum RawFormat
{
    /// <summary>Detect per record: JSON object/array, CSV with a header, Apache/Nginx combined, or plain text.</summary>
    Auto,
    /// <summary>One JSON object, or a JSON array of objects.</summary>
    Json,
    /// <summary>One JSON object per line.</summary>
    JsonLines,
    /// <summary>CSV whose first line is the header.</summary>
    Csv,
    /// <summary>Apache or Nginx combined/common access log lines.</summary>
    Apache,
    /// <summary>Plain text lines (syslog, application logs): message kept, level detected when present.</summary>
    Text,
    /// <summary>Compact Log Event Format (Serilog, Seq): one JSON object per line with <c>@t</c>, <c>@l</c>, <c>@mt</c>, <c>@x</c> ...</summary>
    Clef,
    /// <summary>Graylog Extended Log Format: one GELF JSON object per line (<c>short_message</c>, <c>level</c>, <c>host</c>, <c>_</c>-fields ...).</summary>
    Gelf,
    /// <summary>
    /// Elasticsearch documents (what Elasticsearch's <c>_bulk</c> API indexes), one JSON object per line, ECS field names
    /// nested or dotted (<c>@timestamp</c>, <c>log.level</c>, <c>service.name</c> ...); <c>_index</c> names the index it was sent to.
    /// </summary>
    Ecs,
    /// <summary>
    /// OpenTelemetry log records, one JSON object per line as the gateway writes them from OTLP/HTTP: <c>time_unix_nano</c>,
    /// <c>severity_number</c>, <c>severity_text</c>, <c>body</c>, <c>trace_id</c>, <c>span_id</c>, <c>attributes</c>, <c>resource</c> ...
    /// </summary>
    Otlp,
    /// <summary>Loki log entries, one JSON object per line as the gateway writes them from a push: <c>ts</c> (Unix ns), <c>line</c>, <c>labels</c>, <c>metadata</c>.</summary>
    Loki,
}
