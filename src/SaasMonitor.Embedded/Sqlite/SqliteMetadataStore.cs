using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using SaasMonitor.Core.Metadata;

namespace SaasMonitor.Embedded.Sqlite;

/// <summary>
/// Uploaded files (with per-chunk parse results), saved searches and search history in SQLite (WAL).
/// A file's counts are summed over its chunks, each recorded once however often it is reported.
/// Search history keeps the newest <see cref="HistoryPerOwner"/> entries of each owner.
/// A file marked deleted keeps its record, hidden from reads, until the indexer has removed its events.
/// Ingest receipts are kept by key, the first for a key winning.
/// </summary>
public sealed class SqliteMetadataStore : IMetadataStore, IDisposable
{
    internal const int SchemaSlot = 1;
    internal const int HistoryPerOwner = 1_000;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE files (
            id TEXT PRIMARY KEY,
            file_name TEXT NOT NULL,
            file_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            status INTEGER NOT NULL,
            uploaded_at INTEGER NOT NULL,
            processed_at INTEGER,
            uploaded_by TEXT,
            chunk_count INTEGER,
            error TEXT
        );
        CREATE INDEX files_newest_first ON files (uploaded_at DESC, id DESC);
        CREATE TABLE file_chunks (
            file_id TEXT NOT NULL,
            bus_partition INTEGER NOT NULL,
            bus_offset INTEGER NOT NULL,
            records INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            PRIMARY KEY (file_id, bus_partition, bus_offset)
        ) WITHOUT ROWID;
        CREATE TABLE saved_searches (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            query TEXT NOT NULL,
            filters TEXT NOT NULL,
            owner TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX saved_searches_by_owner ON saved_searches (owner, created_at DESC);
        CREATE TABLE search_history (
            id INTEGER PRIMARY KEY,
            owner TEXT,
            query TEXT NOT NULL,
            filters TEXT NOT NULL,
            total INTEGER NOT NULL,
            took_ms REAL NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX search_history_by_owner ON search_history (owner, at DESC, id DESC);
        CREATE INDEX search_history_newest_first ON search_history (at DESC, id DESC);
        """,
        """
        ALTER TABLE files ADD COLUMN deleted_at INTEGER;
        CREATE INDEX files_deleted ON files (deleted_at, id) WHERE deleted_at IS NOT NULL;
        """,
        """
        CREATE TABLE ingest_receipts (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            accepted INTEGER NOT NULL,
            raw_records INTEGER NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX ingest_receipts_by_age ON ingest_receipts (at);
        """,
        """
        ALTER TABLE ingest_receipts ADD COLUMN written INTEGER NOT NULL DEFAULT 1;
        """,
    ];

    private const string FileColumns =
        """
        f.id, f.file_name, f.file_type, f.size_bytes, f.status, f.uploaded_at, f.processed_at, f.uploaded_by, f.chunk_count, f.error,
        (SELECT COUNT(*) FROM file_chunks c WHERE c.file_id = f.id),
        (SELECT COALESCE(SUM(records), 0) FROM file_chunks c WHERE c.file_id = f.id),
        (SELECT COALESCE(SUM(rejected), 0) FROM file_chunks c WHERE c.file_id = f.id)
        """;

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertFile;
    private readonly SqliteCommand _updateFile;
    private readonly SqliteCommand _upsertChunk;
    private readonly SqliteCommand _advanceStatus;
    private readonly SqliteCommand _selectFile;
    private readonly SqliteCommand _listFiles;
    private readonly SqliteCommand _countFiles;
    private readonly SqliteCommand _deleteChunks;
    private readonly SqliteCommand _deleteFile;
    private readonly SqliteCommand _markDeleted;
    private readonly SqliteCommand _listDeleted;
    private readonly SqliteCommand _upsertSearch;
    private readonly SqliteCommand _listSearches;
    private readonly SqliteCommand _deleteSearch;
    private readonly SqliteCommand _insertHistory;
    private readonly SqliteCommand _trimHistory;
    private readonly SqliteCommand _listHistory;
    private readonly SqliteCommand _insertReceipt;
    private readonly SqliteCommand _forgetReceipts;
    private readonly SqliteCommand _selectReceipt;
    private readonly SqliteCommand _markReceiptWritten;
    private readonly SqliteCommand _forgetReceipt;

    public SqliteMetadataStore(SqliteOptions options)
    {
        _connection = SqliteDatabase.OpenMigrated(options, SchemaSlot, Migrations);

        var c = _connection;
        _insertFile = SqliteDatabase.Prepare(
            c,
            """
            INSERT INTO files (id, file_name, file_type, size_bytes, status, uploaded_at, processed_at, uploaded_by, chunk_count, error)
            VALUES ($id, $name, $type, $size, $status, $uploaded, $processed, $by, $chunks, $error)
            """,
            "$id", "$name", "$type", "$size", "$status", "$uploaded", "$processed", "$by", "$chunks", "$error");
        _updateFile = SqliteDatabase.Prepare(
            c,
            "UPDATE files SET status = $status, size_bytes = $size, chunk_count = $chunks, error = $error WHERE id = $id",
            "$id", "$status", "$size", "$chunks", "$error");
        _upsertChunk = SqliteDatabase.Prepare(
            c,
            """
            INSERT INTO file_chunks (file_id, bus_partition, bus_offset, records, rejected) VALUES ($file, $partition, $offset, $records, $rejected)
            ON CONFLICT DO UPDATE SET records = excluded.records, rejected = excluded.rejected
            """,
            "$file", "$partition", "$offset", "$records", "$rejected");
        // A pending or processing file with recorded chunks is processing, and processed once all its chunks are in.
        _advanceStatus = SqliteDatabase.Prepare(
            c,
            $"""
            UPDATE files SET
                status = CASE WHEN chunk_count IS NOT NULL AND done.n >= chunk_count THEN {(int)FileStatus.Processed} ELSE {(int)FileStatus.Processing} END,
                processed_at = CASE WHEN chunk_count IS NOT NULL AND done.n >= chunk_count THEN COALESCE(processed_at, $now) ELSE processed_at END
            FROM (SELECT COUNT(*) AS n FROM file_chunks WHERE file_id = $id) AS done
            WHERE id = $id AND status IN ({(int)FileStatus.Pending}, {(int)FileStatus.Processing}) AND (done.n > 0 OR chunk_count = 0)
            """,
            "$id", "$now");
        _selectFile = SqliteDatabase.Prepare(c, $"SELECT {FileColumns} FROM files f WHERE f.id = $id AND f.deleted_at IS NULL", "$id");
        _listFiles = SqliteDatabase.Prepare(
            c, $"SELECT {FileColumns} FROM files f WHERE f.deleted_at IS NULL ORDER BY f.uploaded_at DESC, f.id DESC LIMIT $take OFFSET $skip", "$take", "$skip");
        _countFiles = SqliteDatabase.Prepare(c, "SELECT COUNT(*) FROM files WHERE deleted_at IS NULL");
        _deleteChunks = SqliteDatabase.Prepare(c, "DELETE FROM file_chunks WHERE file_id = $id", "$id");
        _deleteFile = SqliteDatabase.Prepare(c, "DELETE FROM files WHERE id = $id", "$id");
        _markDeleted = SqliteDatabase.Prepare(c, "UPDATE files SET deleted_at = $at WHERE id = $id AND deleted_at IS NULL", "$id", "$at");
        _listDeleted = SqliteDatabase.Prepare(c, "SELECT id FROM files WHERE deleted_at IS NOT NULL ORDER BY deleted_at, id");
        _upsertSearch = SqliteDatabase.Prepare(
            c,
            """
            INSERT INTO saved_searches (id, name, query, filters, owner, created_at) VALUES ($id, $name, $query, $filters, $owner, $created)
            ON CONFLICT DO UPDATE SET name = excluded.name, query = excluded.query, filters = excluded.filters, owner = excluded.owner
            """,
            "$id", "$name", "$query", "$filters", "$owner", "$created");
        _listSearches = SqliteDatabase.Prepare(
            c,
            "SELECT id, name, query, filters, owner, created_at FROM saved_searches WHERE $owner IS NULL OR owner = $owner ORDER BY created_at DESC, id",
            "$owner");
        _deleteSearch = SqliteDatabase.Prepare(c, "DELETE FROM saved_searches WHERE id = $id", "$id");
        _insertHistory = SqliteDatabase.Prepare(
            c,
            "INSERT INTO search_history (owner, query, filters, total, took_ms, at) VALUES ($owner, $query, $filters, $total, $took, $at)",
            "$owner", "$query", "$filters", "$total", "$took", "$at");
        _trimHistory = SqliteDatabase.Prepare(
            c,
            $"""
            DELETE FROM search_history WHERE id IN (
                SELECT id FROM search_history WHERE owner IS $owner ORDER BY at DESC, id DESC LIMIT -1 OFFSET {HistoryPerOwner})
            """,
            "$owner");
        _listHistory = SqliteDatabase.Prepare(
            c,
            "SELECT query, filters, total, took_ms, owner, at FROM search_history WHERE $owner IS NULL OR owner = $owner ORDER BY at DESC, id DESC LIMIT $take",
            "$owner", "$take");
        _insertReceipt = SqliteDatabase.Prepare(
            c,
            "INSERT INTO ingest_receipts (key, fingerprint, accepted, raw_records, at, written) VALUES ($key, $fingerprint, $accepted, $raw, $at, $written) ON CONFLICT DO NOTHING",
            "$key", "$fingerprint", "$accepted", "$raw", "$at", "$written");
        _forgetReceipts = SqliteDatabase.Prepare(c, "DELETE FROM ingest_receipts WHERE at < $before", "$before");
        _selectReceipt = SqliteDatabase.Prepare(c, "SELECT key, fingerprint, accepted, raw_records, at, written FROM ingest_receipts WHERE key = $key", "$key");
        _markReceiptWritten = SqliteDatabase.Prepare(c, "UPDATE ingest_receipts SET written = 1 WHERE key = $key", "$key");
        _forgetReceipt = SqliteDatabase.Prepare(c, "DELETE FROM ingest_receipts WHERE key = $key", "$key");
    }

    public Task CreateFileAsync(LogFile file, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _insertFile.Bind(
                null,
                file.Id,
                file.FileName,
                file.FileType,
                file.SizeBytes,
                (int)file.Status,
                file.UploadedAt.UtcTicks,
                file.ProcessedAt?.UtcTicks,
                file.UploadedBy,
                file.ChunkCount,
                file.Error).ExecuteNonQuery();
        }

        return Task.CompletedTask;
    }

    public Task UpdateFileAsync(LogFile file, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            _updateFile.Bind(transaction, file.Id, (int)file.Status, file.SizeBytes, file.ChunkCount, file.Error).ExecuteNonQuery();
            // Chunks may all have been parsed before the upload reported its chunk count.
            _advanceStatus.Bind(transaction, file.Id, DateTimeOffset.UtcNow.UtcTicks).ExecuteNonQuery();
            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    public Task RecordChunksAsync(IReadOnlyList<FileChunkResult> results, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            var files = new HashSet<string>();
            foreach (var r in results)
            {
                _upsertChunk.Bind(transaction, r.FileId, r.Partition, r.Offset, r.Records, r.Rejected).ExecuteNonQuery();
                files.Add(r.FileId);
            }

            var now = DateTimeOffset.UtcNow.UtcTicks;
            foreach (var id in files)
            {
                _advanceStatus.Bind(transaction, id, now).ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    public Task<LogFile?> GetFileAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var reader = _selectFile.Bind(null, id).ExecuteReader();
            return Task.FromResult(reader.Read() ? ReadFile(reader) : null);
        }
    }

    public Task<IReadOnlyList<LogFile>> ListFilesAsync(int skip, int take, CancellationToken ct) =>
        Task.FromResult(ReadAll(_listFiles, ReadFile, ct, take, skip));

    public Task<long> CountFilesAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult((long)_countFiles.Bind(null).ExecuteScalar()!);
        }
    }

    public Task<bool> DeleteFileAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            _deleteChunks.Bind(transaction, id).ExecuteNonQuery();
            var deleted = _deleteFile.Bind(transaction, id).ExecuteNonQuery() > 0;
            transaction.Commit();
            return Task.FromResult(deleted);
        }
    }

    public Task<bool> MarkFileDeletedAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_markDeleted.Bind(null, id, DateTimeOffset.UtcNow.UtcTicks).ExecuteNonQuery() > 0);
        }
    }

    public Task<IReadOnlyList<string>> ListDeletedFilesAsync(CancellationToken ct) =>
        Task.FromResult(ReadAll(_listDeleted, r => r.GetString(0), ct));

    /// <summary>Inserts or replaces by id; an empty id gets a new one. Returns the search as stored.</summary>
    public Task<SavedSearch> SaveSearchAsync(SavedSearch search, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var saved = string.IsNullOrEmpty(search.Id) ? search with { Id = Guid.NewGuid().ToString("N") } : search;
        lock (_lock)
        {
            _upsertSearch.Bind(null, saved.Id, saved.Name, saved.Query, ToJson(saved.Filters), saved.Owner, saved.CreatedAt.UtcTicks).ExecuteNonQuery();
        }

        return Task.FromResult(saved);
    }

    /// <summary>Newest first; a null owner lists every owner's searches.</summary>
    public Task<IReadOnlyList<SavedSearch>> ListSavedSearchesAsync(string? owner, CancellationToken ct) =>
        Task.FromResult(ReadAll(
            _listSearches,
            r => new SavedSearch(r.GetString(0), r.GetString(1), r.GetString(2), FromJson(r.GetString(3)), NullableString(r, 4), Time(r, 5)),
            ct,
            owner));

    public Task<bool> DeleteSavedSearchAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_deleteSearch.Bind(null, id).ExecuteNonQuery() > 0);
        }
    }

    public Task AddSearchHistoryAsync(SearchHistoryEntry entry, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            _insertHistory.Bind(transaction, entry.Owner, entry.Query, ToJson(entry.Filters), entry.Total, entry.TookMs, entry.At.UtcTicks).ExecuteNonQuery();
            _trimHistory.Bind(transaction, entry.Owner).ExecuteNonQuery();
            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    /// <summary>Newest first; a null owner lists every owner's history.</summary>
    public Task<IReadOnlyList<SearchHistoryEntry>> ListSearchHistoryAsync(string? owner, int take, CancellationToken ct) =>
        Task.FromResult(ReadAll(
            _listHistory,
            r => new SearchHistoryEntry(r.GetString(0), FromJson(r.GetString(1)), r.GetInt64(2), r.GetDouble(3), NullableString(r, 4), Time(r, 5)),
            ct,
            owner,
            take));

    public Task<IngestReceipt> KeepIngestReceiptAsync(IngestReceipt receipt, DateTimeOffset forgetBefore, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            _forgetReceipts.Bind(transaction, forgetBefore.UtcTicks).ExecuteNonQuery();
            _insertReceipt.Bind(transaction, receipt.Key, receipt.Fingerprint, receipt.Accepted, receipt.RawRecords, receipt.At.UtcTicks, receipt.Written ? 1 : 0).ExecuteNonQuery();
            var kept = ReadReceipt(transaction, receipt.Key)!;
            transaction.Commit();
            return Task.FromResult(kept);
        }
    }

    public Task MarkIngestReceiptWrittenAsync(string key, CancellationToken ct) => ExecuteAsync(_markReceiptWritten, key, ct);

    public Task ForgetIngestReceiptAsync(string key, CancellationToken ct) => ExecuteAsync(_forgetReceipt, key, ct);

    public Task<IngestReceipt?> GetIngestReceiptAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(ReadReceipt(null, key));
        }
    }

    private IngestReceipt? ReadReceipt(SqliteTransaction? transaction, string key)
    {
        using var reader = _selectReceipt.Bind(transaction, key).ExecuteReader();
        return reader.Read() ? new IngestReceipt(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3), Time(reader, 4), reader.GetInt64(5) != 0) : null;
    }

    private Task ExecuteAsync(SqliteCommand command, string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            command.Bind(null, key).ExecuteNonQuery();
            return Task.CompletedTask;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var command in new[]
            {
                _insertFile, _updateFile, _upsertChunk, _advanceStatus, _selectFile, _listFiles, _countFiles, _deleteChunks, _deleteFile, _markDeleted, _listDeleted,
                _upsertSearch, _listSearches, _deleteSearch, _insertHistory, _trimHistory, _listHistory, _insertReceipt, _forgetReceipts, _selectReceipt, _markReceiptWritten, _forgetReceipt,
            })
            {
                command.Dispose();
            }

            _connection.Dispose();
        }
    }

    private IReadOnlyList<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken ct, params object?[] parameters)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var results = new List<T>();
            using var reader = command.Bind(null, parameters).ExecuteReader();
            while (reader.Read())
            {
                results.Add(read(reader));
            }

            return results;
        }
    }

    private static LogFile ReadFile(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        FileName = r.GetString(1),
        FileType = r.GetString(2),
        SizeBytes = r.GetInt64(3),
        Status = (FileStatus)r.GetInt32(4),
        UploadedAt = Time(r, 5),
        ProcessedAt = r.IsDBNull(6) ? null : Time(r, 6),
        UploadedBy = NullableString(r, 7),
        ChunkCount = r.IsDBNull(8) ? null : r.GetInt32(8),
        Error = NullableString(r, 9),
        ChunksDone = r.GetInt32(10),
        RecordsCount = r.GetInt64(11),
        RejectedCount = r.GetInt64(12),
    };

    private static DateTimeOffset Time(SqliteDataReader r, int ordinal) => new(r.GetInt64(ordinal), TimeSpan.Zero);

    private static string? NullableString(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static string ToJson(IReadOnlyDictionary<string, string> filters) =>
        JsonSerializer.Serialize(filters, MetadataJsonContext.Default.IReadOnlyDictionaryStringString);

    private static Dictionary<string, string> FromJson(string json) =>
        JsonSerializer.Deserialize(json, MetadataJsonContext.Default.DictionaryStringString) ?? [];
}

[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
