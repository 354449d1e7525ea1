using SaasMonitor.Core.Events;

namespace Ingest.Gateway;

/// <summary>Which raw format a request or an uploaded file carries.</summary>
internal static class FormatNames
{
    public static RawFormat? FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "json" => RawFormat.Json,
        "jsonl" or "ndjson" or "jsonlines" => RawFormat.JsonLines,
        "csv" => RawFormat.Csv,
        "apache" or "nginx" or "combined" => RawFormat.Apache,
        "text" or "plain" or "syslog" => RawFormat.Text,
        "clef" => RawFormat.Clef,
        "gelf" => RawFormat.Gelf,
        "ecs" => RawFormat.Ecs,
        "auto" or "" => RawFormat.Auto,
        _ => null,
    };

    public static RawFormat? FromContentType(string? contentType)
    {
        var mediaType = (contentType ?? "text/plain").Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/json" => RawFormat.Json,
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" or "application/jsonlines" or "application/x-jsonlines" => RawFormat.JsonLines,
            "text/csv" or "application/csv" => RawFormat.Csv,
            "text/plain" or "application/octet-stream" => RawFormat.Auto,
            "application/vnd.serilog.clef" => RawFormat.Clef,
            _ => null,
        };
    }

    /// <summary>By extension: .csv, .json, .jsonl/.ndjson, .log/.txt (detected line by line).</summary>
    public static RawFormat? FromFileName(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" => RawFormat.Csv,
        ".json" => RawFormat.Json,
        ".jsonl" or ".ndjson" => RawFormat.JsonLines,
        ".log" or ".txt" => RawFormat.Auto,
        _ => null,
    };
}
