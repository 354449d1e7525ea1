namespace SaasMonitor.Core.Metadata;

/// <summary>Files, saved searches, search history and ingest receipts. Implemented by the embedded SQLite store and by MongoDB.</summary>
public interface IMetadataStore
{
    Task CreateFileAsync(LogFile file, CancellationToken ct);

    /// <summary>Sets status, size, chunk count and error of a file (the counts come from <see cref="RecordChunksAsync"/>).</summary>
    Task UpdateFileAsync(LogFile file, CancellationToken ct);

    /// <summary>Records parse results idempotently per (file, partition, offset); a file whose chunks are all done becomes Processed.</summary>
    Task RecordChunksAsync(IReadOnlyList<FileChunkResult> results, CancellationToken ct);

    /// <summary>The file with its counts summed over its recorded chunks, or null.</summary>
    Task<LogFile?> GetFileAsync(string id, CancellationToken ct);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<LogFile>> ListFilesAsync(int skip, int take, CancellationToken ct);

    Task<long> CountFilesAsync(CancellationToken ct);

    /// <summary>Removes a file's record, visible or marked deleted, with its chunk results.</summary>
    Task<bool> DeleteFileAsync(string id, CancellationToken ct);

    /// <summary>
    /// Marks a file deleted: from now on reads (get, list, count) leave it out, while its record stays until the
    /// indexer has removed its events from the index and calls <see cref="DeleteFileAsync"/>.
    /// False when there is no such file or it is marked already.
    /// </summary>
    Task<bool> MarkFileDeletedAsync(string id, CancellationToken ct);

    /// <summary>Ids of the files marked deleted whose records are still kept, in the order they were marked.</summary>
    Task<IReadOnlyList<string>> ListDeletedFilesAsync(CancellationToken ct);

    Task<SavedSearch> SaveSearchAsync(SavedSearch search, CancellationToken ct);

    Task<IReadOnlyList<SavedSearch>> ListSavedSearchesAsync(string? owner, CancellationToken ct);

    Task<bool> DeleteSavedSearchAsync(string id, CancellationToken ct);

    Task AddSearchHistoryAsync(SearchHistoryEntry entry, CancellationToken ct);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<SearchHistoryEntry>> ListSearchHistoryAsync(string? owner, int take, CancellationToken ct);

    /// <summary>
    /// Keeps the receipt of an ingest request sent with an idempotency key unless one is kept for its key already (the
    /// first wins, atomically: of two gateways taking one key, one keeps it), and forgets receipts taken before
    /// <paramref name="forgetBefore"/>. Returns the receipt kept for the key.
    /// </summary>
    Task<IngestReceipt> KeepIngestReceiptAsync(IngestReceipt receipt, DateTimeOffset forgetBefore, CancellationToken ct);

    /// <summary>Marks the receipt of <paramref name="key"/> written: its records are durable.</summary>
    Task MarkIngestReceiptWrittenAsync(string key, CancellationToken ct);

    /// <summary>Forgets the receipt of <paramref name="key"/>: its request failed before its records were durable.</summary>
    Task ForgetIngestReceiptAsync(string key, CancellationToken ct);

    /// <summary>The receipt kept for an idempotency key, or null.</summary>
    Task<IngestReceipt?> GetIngestReceiptAsync(string key, CancellationToken ct);
}

/// <summary>
/// What an ingest request sent with an idempotency key was answered: the key (scoped by its sender), a fingerprint of
/// what it carried, and the records it appended; a retry with the same key gets this answer and appends nothing. Kept
/// before the records are written (<see cref="Written"/> false) so no other request with the key writes meanwhile.
/// </summary>
public sealed record IngestReceipt(string Key, string Fingerprint, long Accepted, int RawRecords, DateTimeOffset At, bool Written = true);

/// <summary>A named search a user keeps: query text plus the filters, as the search API takes them.</summary>
public sealed record SavedSearch(string Id, string Name, string Query, IReadOnlyDictionary<string, string> Filters, string? Owner, DateTimeOffset CreatedAt);

public sealed record SearchHistoryEntry(string Query, IReadOnlyDictionary<string, string> Filters, long Total, double TookMs, string? Owner, DateTimeOffset At);
