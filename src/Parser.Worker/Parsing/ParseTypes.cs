namespace Parser.Worker.Parsing;

/// <summary>Where a raw record came from: its bus position and the metadata the gateway stamped on it.</summary>
public readonly record struct RawContext(int Partition, long Offset, string? Source, string? FileId, DateTimeOffset ReceivedAt);

/// <summary>
/// A record of a raw payload that could not be parsed: its position in the payload, its original bytes,
/// a short machine-readable error type (e.g. "invalid-json") and a human-readable reason.
/// </summary>
public sealed record ParseFailure(int Index, ReadOnlyMemory<byte> Original, string ErrorType, string Reason);

/// <summary>The error types a <see cref="ParseFailure"/> carries.</summary>
public static class ParseErrorTypes
{
    public const string InvalidJson = "invalid-json";
    public const string CsvColumnCount = "csv-column-count";
    public const string InvalidCsv = "invalid-csv";
    public const string InvalidTimestamp = "invalid-timestamp";
    public const string InvalidStatus = "invalid-status";
    public const string InvalidUtf8 = "invalid-utf8";
    public const string NotApacheFormat = "not-apache-format";
}
