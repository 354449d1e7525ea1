using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Bson.Serialization.Options;
using MongoDB.Driver;
using SaasMonitor.Core.Metadata;

namespace SaasMonitor.MongoDB.Metadata;

/// <summary>An uploaded file with its chunks' parse results, keyed "partition:offset" so recording one twice overwrites it.</summary>
internal sealed class FileDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("name")]
    public string FileName { get; set; } = "";

    [BsonElement("type")]
    public string FileType { get; set; } = "";

    [BsonElement("size")]
    public long SizeBytes { get; set; }

    [BsonElement("status")]
    [BsonRepresentation(BsonType.Int32)]
    public FileStatus Status { get; set; }

    [BsonElement("uploadedAt")]
    public long UploadedAt { get; set; }

    [BsonElement("processedAt")]
    [BsonIgnoreIfNull]
    public long? ProcessedAt { get; set; }

    [BsonElement("uploadedBy")]
    [BsonIgnoreIfNull]
    public string? UploadedBy { get; set; }

    [BsonElement("chunkCount")]
    [BsonIgnoreIfNull]
    public int? ChunkCount { get; set; }

    [BsonElement("error")]
    [BsonIgnoreIfNull]
    public string? Error { get; set; }

    /// <summary>Set while the file is marked deleted and its events are being removed from the index.</summary>
    [BsonElement("deletedAt")]
    [BsonIgnoreIfNull]
    public long? DeletedAt { get; set; }

    [BsonElement("chunks")]
    public Dictionary<string, ChunkDocument> Chunks { get; set; } = [];

    public static FileDocument From(LogFile file) => new()
    {
        Id = file.Id,
        FileName = file.FileName,
        FileType = file.FileType,
        SizeBytes = file.SizeBytes,
        Status = file.Status,
        UploadedAt = file.UploadedAt.UtcTicks,
        ProcessedAt = file.ProcessedAt?.UtcTicks,
        UploadedBy = file.UploadedBy,
        ChunkCount = file.ChunkCount,
        Error = file.Error,
    };

    public LogFile ToFile() => new()
    {
        Id = Id,
        FileName = FileName,
        FileType = FileType,
        SizeBytes = SizeBytes,
        Status = Status,
        UploadedAt = new DateTimeOffset(UploadedAt, TimeSpan.Zero),
        ProcessedAt = ProcessedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null,
        UploadedBy = UploadedBy,
        ChunkCount = ChunkCount,
        Error = Error,
        ChunksDone = Chunks.Count,
        RecordsCount = Chunks.Values.Sum(c => c.Records),
        RejectedCount = Chunks.Values.Sum(c => c.Rejected),
    };
}

internal sealed class ChunkDocument
{
    [BsonElement("records")]
    public long Records { get; set; }

    [BsonElement("rejected")]
    public long Rejected { get; set; }
}

internal sealed class SavedSearchDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("name")]
    public string Name { get; set; } = "";

    [BsonElement("query")]
    public string Query { get; set; } = "";

    /// <summary>As [{k, v}] pairs: filter names are the user's, and need not be valid field names.</summary>
    [BsonElement("filters")]
    [BsonDictionaryOptions(DictionaryRepresentation.ArrayOfDocuments)]
    public Dictionary<string, string> Filters { get; set; } = [];

    [BsonElement("owner")]
    public string? Owner { get; set; }

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    public SavedSearch ToSearch() => new(Id, Name, Query, Filters, Owner, new DateTimeOffset(CreatedAt, TimeSpan.Zero));
}

internal sealed class SearchHistoryDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("owner")]
    public string? Owner { get; set; }

    [BsonElement("query")]
    public string Query { get; set; } = "";

    [BsonElement("filters")]
    [BsonDictionaryOptions(DictionaryRepresentation.ArrayOfDocuments)]
    public Dictionary<string, string> Filters { get; set; } = [];

    [BsonElement("total")]
    public long Total { get; set; }

    [BsonElement("tookMs")]
    public double TookMs { get; set; }

    /// <summary>UTC ticks: exact, and the order of the list.</summary>
    [BsonElement("at")]
    public long At { get; set; }

    /// <summary>The same instant as a BSON date, which the TTL index needs.</summary>
    [BsonElement("date")]
    [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
    public DateTime Date { get; set; }

    public static SearchHistoryDocument From(SearchHistoryEntry entry) => new()
    {
        Id = ObjectId.GenerateNewId(),
        Owner = entry.Owner,
        Query = entry.Query,
        Filters = new(entry.Filters),
        Total = entry.Total,
        TookMs = entry.TookMs,
        At = entry.At.UtcTicks,
        Date = entry.At.UtcDateTime,
    };

    public SearchHistoryEntry ToEntry() => new(Query, Filters, Total, TookMs, Owner, new DateTimeOffset(At, TimeSpan.Zero));
}

internal sealed class IngestReceiptDocument
{
    [BsonId]
    public string Key { get; set; } = "";

    [BsonElement("fingerprint")]
    public string Fingerprint { get; set; } = "";

    [BsonElement("accepted")]
    public long Accepted { get; set; }

    [BsonElement("rawRecords")]
    public int RawRecords { get; set; }

    [BsonElement("at")]
    public long At { get; set; }

    /// <summary>False while the request's records are being written; receipts kept before this field existed were written.</summary>
    [BsonElement("written")]
    [BsonDefaultValue(true)]
    public bool Written { get; set; } = true;

    public IngestReceipt ToReceipt() => new(Key, Fingerprint, Accepted, RawRecords, new DateTimeOffset(At, TimeSpan.Zero), Written);
}

/// <summary>The filters, updates and indexes of the metadata collections, built in one place so tests can render them.</summary>
internal static class MetadataCommands
{
    public const string Files = "files";
    public const string SavedSearches = "saved_searches";
    public const string SearchHistory = "search_history";
    public const string IngestReceipts = "ingest_receipts";

    private static readonly FilterDefinitionBuilder<FileDocument> FileFilter = Builders<FileDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<FileDocument> FileUpdate = Builders<FileDocument>.Update;

    public static FilterDefinition<FileDocument> File(string id) => FileFilter.Eq(d => d.Id, id);

    /// <summary>Files not marked deleted.</summary>
    public static FilterDefinition<FileDocument> Visible { get; } = FileFilter.Eq(d => d.DeletedAt, null);

    public static FilterDefinition<FileDocument> MarkedDeleted { get; } = FileFilter.Ne(d => d.DeletedAt, null);

    public static SortDefinition<FileDocument> NewestFirst { get; } = Builders<FileDocument>.Sort.Descending(d => d.UploadedAt).Descending(d => d.Id);

    public static UpdateDefinition<FileDocument> Update(LogFile file) => FileUpdate
        .Set(d => d.Status, file.Status)
        .Set(d => d.SizeBytes, file.SizeBytes)
        .Set(d => d.ChunkCount, file.ChunkCount)
        .Set(d => d.Error, file.Error);

    /// <summary>Sets one chunk's result: recording it again overwrites, so it counts once.</summary>
    public static UpdateDefinition<FileDocument> RecordChunk(FileChunkResult chunk) => FileUpdate.Set(
        "chunks." + chunk.Partition.ToString(CultureInfo.InvariantCulture) + ":" + chunk.Offset.ToString(CultureInfo.InvariantCulture),
        new ChunkDocument { Records = chunk.Records, Rejected = chunk.Rejected });

    /// <summary>
    /// The status a pending or processing file moves to once chunks are recorded: processing, and processed when all
    /// its chunks are in (keeping the first time it was processed); null when it stays as it is.
    /// The update applies only while the file is still pending or processing, so a reader that counted fewer chunks
    /// than a later one can never move the file back.
    /// </summary>
    public static (FilterDefinition<FileDocument> Filter, UpdateDefinition<FileDocument> Update)? Advance(FileDocument file, DateTimeOffset now)
    {
        var done = file.Chunks.Count;
        if (file.Status is not (FileStatus.Pending or FileStatus.Processing) || (done == 0 && file.ChunkCount != 0))
        {
            return null;
        }

        var stillOpen = File(file.Id) & FileFilter.In(d => d.Status, [FileStatus.Pending, FileStatus.Processing]);
        return file.ChunkCount is { } count && done >= count
            ? (stillOpen, FileUpdate.Set(d => d.Status, FileStatus.Processed).Min(d => d.ProcessedAt, now.UtcTicks))
            : (stillOpen, FileUpdate.Set(d => d.Status, FileStatus.Processing));
    }

    public static UpdateDefinition<FileDocument> MarkDeleted(DateTimeOffset at) => FileUpdate.Set(d => d.DeletedAt, at.UtcTicks);

    /// <summary>Inserts a search or updates it by id, keeping when it was first created.</summary>
    public static UpdateDefinition<SavedSearchDocument> Save(SavedSearch search) => Builders<SavedSearchDocument>.Update
        .Set(d => d.Name, search.Name)
        .Set(d => d.Query, search.Query)
        .Set(d => d.Filters, new Dictionary<string, string>(search.Filters))
        .Set(d => d.Owner, search.Owner)
        .SetOnInsert(d => d.CreatedAt, search.CreatedAt.UtcTicks);

    /// <summary>One owner's (or, for null, everyone's) documents.</summary>
    public static FilterDefinition<T> OwnedBy<T>(string? owner, Func<FilterDefinitionBuilder<T>, FilterDefinition<T>> byOwner) =>
        owner is null ? Builders<T>.Filter.Empty : byOwner(Builders<T>.Filter);

    public static SortDefinition<SearchHistoryDocument> HistoryNewestFirst { get; } =
        Builders<SearchHistoryDocument>.Sort.Descending(d => d.At).Descending(d => d.Id);

    /// <summary>Keeps the receipt unless one is kept for its key already: the first wins.</summary>
    public static UpdateDefinition<IngestReceiptDocument> KeepFirst(IngestReceipt receipt) => Builders<IngestReceiptDocument>.Update
        .SetOnInsert(d => d.Fingerprint, receipt.Fingerprint)
        .SetOnInsert(d => d.Accepted, receipt.Accepted)
        .SetOnInsert(d => d.RawRecords, receipt.RawRecords)
        .SetOnInsert(d => d.At, receipt.At.UtcTicks)
        .SetOnInsert(d => d.Written, receipt.Written);

    public static UpdateDefinition<IngestReceiptDocument> ReceiptWritten { get; } = Builders<IngestReceiptDocument>.Update.Set(d => d.Written, true);

    public static FilterDefinition<IngestReceiptDocument> Receipt(string key) => Builders<IngestReceiptDocument>.Filter.Eq(d => d.Key, key);

    public static FilterDefinition<IngestReceiptDocument> ReceiptsBefore(DateTimeOffset before) =>
        Builders<IngestReceiptDocument>.Filter.Lt(d => d.At, before.UtcTicks);

    public static CreateIndexModel<FileDocument> FilesNewestFirst { get; } = new(
        Builders<FileDocument>.IndexKeys.Descending(d => d.UploadedAt).Descending(d => d.Id), new CreateIndexOptions { Name = "newest_first" });

    public static CreateIndexModel<FileDocument> FilesDeleted { get; } = new(
        Builders<FileDocument>.IndexKeys.Ascending(d => d.DeletedAt).Ascending(d => d.Id),
        new CreateIndexOptions<FileDocument> { Name = "marked_deleted", PartialFilterExpression = Builders<FileDocument>.Filter.Exists(d => d.DeletedAt) });

    public static CreateIndexModel<SavedSearchDocument> SearchesByOwner { get; } = new(
        Builders<SavedSearchDocument>.IndexKeys.Ascending(d => d.Owner).Descending(d => d.CreatedAt), new CreateIndexOptions { Name = "by_owner" });

    public static CreateIndexModel<SearchHistoryDocument> HistoryByOwner { get; } = new(
        Builders<SearchHistoryDocument>.IndexKeys.Ascending(d => d.Owner).Descending(d => d.At).Descending(d => d.Id), new CreateIndexOptions { Name = "by_owner" });

    public static CreateIndexModel<SearchHistoryDocument> HistoryNewest { get; } = new(
        Builders<SearchHistoryDocument>.IndexKeys.Descending(d => d.At).Descending(d => d.Id), new CreateIndexOptions { Name = "newest_first" });

    /// <summary>The server removes history entries older than the retention (its TTL monitor runs every minute).</summary>
    public static CreateIndexModel<SearchHistoryDocument> HistoryExpiry(TimeSpan retention) => new(
        Builders<SearchHistoryDocument>.IndexKeys.Ascending(d => d.Date), new CreateIndexOptions { Name = "expiry", ExpireAfter = retention });

    public static CreateIndexModel<IngestReceiptDocument> ReceiptsByAge { get; } = new(
        Builders<IngestReceiptDocument>.IndexKeys.Ascending(d => d.At), new CreateIndexOptions { Name = "by_age" });
}
