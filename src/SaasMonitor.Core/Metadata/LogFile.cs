namespace SaasMonitor.Core.Metadata;

public enum FileStatus
{
    /// <summary>Upload in progress.</summary>
    Pending,
    /// <summary>Stored on the bus; being parsed.</summary>
    Processing,
    Processed,
    Error,
}

/// <summary>An uploaded log file and how far its processing has got.</summary>
public sealed record LogFile
{
    /// <summary>The source stamped on an uploaded file's records: parsing settings for it apply to every upload.</summary>
    public const string Source = "upload";

    public required string Id { get; init; }
    public required string FileName { get; init; }
    /// <summary>csv, json, jsonl, log (apache/text).</summary>
    public required string FileType { get; init; }
    public long SizeBytes { get; init; }
    public FileStatus Status { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; init; }
    public string? UploadedBy { get; init; }
    /// <summary>Raw records (chunks) the upload was split into; known once the upload completes.</summary>
    public int? ChunkCount { get; init; }
    /// <summary>Chunks parsed so far.</summary>
    public int ChunksDone { get; init; }
    public long RecordsCount { get; init; }
    public long RejectedCount { get; init; }
    public string? Error { get; init; }
}

/// <summary>What parsing one raw record (chunk) of a file produced. Recording the same chunk twice counts it once.</summary>
public readonly record struct FileChunkResult(string FileId, int Partition, long Offset, long Records, long Rejected);
