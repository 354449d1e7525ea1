using MongoDB.Bson;
using MongoDB.Driver;
using SaasMonitor.Core.Metadata;

namespace SaasMonitor.MongoDB.Metadata;

/// <summary>
/// Uploaded files (with their chunks' parse results embedded), saved searches, search history and ingest receipts in
/// MongoDB. Search history keeps the newest <see cref="HistoryPerOwner"/> entries of each owner, and a TTL index
/// removes entries older than the configured retention. Semantics are those of the SQLite store.
/// </summary>
internal sealed class MongoMetadataStore(IMongoDatabase database, TimeSpan historyRetention, TimeProvider clock) : IMetadataStore, IMongoSchema
{
    internal const int HistoryPerOwner = 1_000;

    /// <summary>MongoDB's code for an index that exists with other options (here: another retention).</summary>
    private const int IndexOptionsConflict = 85;

    private readonly IMongoCollection<FileDocument> _files = database.GetCollection<FileDocument>(MetadataCommands.Files);
    private readonly IMongoCollection<SavedSearchDocument> _searches = database.GetCollection<SavedSearchDocument>(MetadataCommands.SavedSearches);
    private readonly IMongoCollection<SearchHistoryDocument> _history = database.GetCollection<SearchHistoryDocument>(MetadataCommands.SearchHistory);
    private readonly IMongoCollection<IngestReceiptDocument> _receipts = database.GetCollection<IngestReceiptDocument>(MetadataCommands.IngestReceipts);

    public async Task CreateIndexesAsync(CancellationToken ct)
    {
        await _files.Indexes.CreateManyAsync([MetadataCommands.FilesNewestFirst, MetadataCommands.FilesDeleted], ct).ConfigureAwait(false);
        await _searches.Indexes.CreateOneAsync(MetadataCommands.SearchesByOwner, cancellationToken: ct).ConfigureAwait(false);
        await _history.Indexes.CreateManyAsync([MetadataCommands.HistoryByOwner, MetadataCommands.HistoryNewest], ct).ConfigureAwait(false);
        await _receipts.Indexes.CreateOneAsync(MetadataCommands.ReceiptsByAge, cancellationToken: ct).ConfigureAwait(false);
        var expiry = MetadataCommands.HistoryExpiry(historyRetention);
        try
        {
            await _history.Indexes.CreateOneAsync(expiry, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (MongoCommandException e) when (e.Code == IndexOptionsConflict)
        {
            // The retention changed since the index was made: change the index's expiry in place.
            var change = new BsonDocument
            {
                ["collMod"] = MetadataCommands.SearchHistory,
                ["index"] = new BsonDocument { ["name"] = expiry.Options.Name, ["expireAfterSeconds"] = (long)historyRetention.TotalSeconds },
            };
            await database.RunCommandAsync<BsonDocument>(change, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    public Task CreateFileAsync(LogFile file, CancellationToken ct) => _files.InsertOneAsync(FileDocument.From(file), cancellationToken: ct);

    public async Task UpdateFileAsync(LogFile file, CancellationToken ct)
    {
        await _files.UpdateOneAsync(MetadataCommands.File(file.Id), MetadataCommands.Update(file), cancellationToken: ct).ConfigureAwait(false);
        // Chunks may all have been parsed before the upload reported its chunk count.
        await AdvanceAsync(file.Id, ct).ConfigureAwait(false);
    }

    public async Task RecordChunksAsync(IReadOnlyList<FileChunkResult> results, CancellationToken ct)
    {
        if (results.Count == 0)
        {
            return;
        }

        var writes = results.Select(r => new UpdateOneModel<FileDocument>(MetadataCommands.File(r.FileId), MetadataCommands.RecordChunk(r)));
        await _files.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, ct).ConfigureAwait(false);
        foreach (var id in results.Select(r => r.FileId).Distinct())
        {
            await AdvanceAsync(id, ct).ConfigureAwait(false);
        }
    }

    public async Task<LogFile?> GetFileAsync(string id, CancellationToken ct)
    {
        var found = await _files.Find(MetadataCommands.File(id) & MetadataCommands.Visible).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return found?.ToFile();
    }

    public async Task<IReadOnlyList<LogFile>> ListFilesAsync(int skip, int take, CancellationToken ct)
    {
        var page = await _files.Find(MetadataCommands.Visible).Sort(MetadataCommands.NewestFirst).Skip(skip).Limit(take).ToListAsync(ct).ConfigureAwait(false);
        return page.ConvertAll(d => d.ToFile());
    }

    public Task<long> CountFilesAsync(CancellationToken ct) => _files.CountDocumentsAsync(MetadataCommands.Visible, cancellationToken: ct);

    public async Task<bool> DeleteFileAsync(string id, CancellationToken ct) =>
        (await _files.DeleteOneAsync(MetadataCommands.File(id), ct).ConfigureAwait(false)).DeletedCount > 0;

    public async Task<bool> MarkFileDeletedAsync(string id, CancellationToken ct)
    {
        var marked = await _files.UpdateOneAsync(
            MetadataCommands.File(id) & MetadataCommands.Visible, MetadataCommands.MarkDeleted(clock.GetUtcNow()), cancellationToken: ct).ConfigureAwait(false);
        return marked.ModifiedCount > 0;
    }

    public async Task<IReadOnlyList<string>> ListDeletedFilesAsync(CancellationToken ct)
    {
        var marked = await _files.Find(MetadataCommands.MarkedDeleted)
            .SortBy(d => d.DeletedAt).ThenBy(d => d.Id)
            .Project(d => d.Id)
            .ToListAsync(ct).ConfigureAwait(false);
        return marked;
    }

    /// <summary>Inserts or updates by id; an empty id gets a new one. Returns the search as stored.</summary>
    public async Task<SavedSearch> SaveSearchAsync(SavedSearch search, CancellationToken ct)
    {
        var saved = string.IsNullOrEmpty(search.Id) ? search with { Id = Guid.NewGuid().ToString("N") } : search;
        await _searches.UpdateOneAsync(
            Builders<SavedSearchDocument>.Filter.Eq(d => d.Id, saved.Id), MetadataCommands.Save(saved), new UpdateOptions { IsUpsert = true }, ct).ConfigureAwait(false);
        return saved;
    }

    /// <summary>Newest first; a null owner lists every owner's searches.</summary>
    public async Task<IReadOnlyList<SavedSearch>> ListSavedSearchesAsync(string? owner, CancellationToken ct)
    {
        var found = await _searches.Find(MetadataCommands.OwnedBy<SavedSearchDocument>(owner, f => f.Eq(d => d.Owner, owner)))
            .SortByDescending(d => d.CreatedAt).ThenBy(d => d.Id)
            .ToListAsync(ct).ConfigureAwait(false);
        return found.ConvertAll(d => d.ToSearch());
    }

    public async Task<bool> DeleteSavedSearchAsync(string id, CancellationToken ct) =>
        (await _searches.DeleteOneAsync(d => d.Id == id, ct).ConfigureAwait(false)).DeletedCount > 0;

    public async Task AddSearchHistoryAsync(SearchHistoryEntry entry, CancellationToken ct)
    {
        await _history.InsertOneAsync(SearchHistoryDocument.From(entry), cancellationToken: ct).ConfigureAwait(false);
        var beyond = await _history.Find(Builders<SearchHistoryDocument>.Filter.Eq(d => d.Owner, entry.Owner))
            .Sort(MetadataCommands.HistoryNewestFirst)
            .Skip(HistoryPerOwner)
            .Project(d => d.Id)
            .ToListAsync(ct).ConfigureAwait(false);
        if (beyond.Count > 0)
        {
            await _history.DeleteManyAsync(Builders<SearchHistoryDocument>.Filter.In(d => d.Id, beyond), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Newest first; a null owner lists every owner's history.</summary>
    public async Task<IReadOnlyList<SearchHistoryEntry>> ListSearchHistoryAsync(string? owner, int take, CancellationToken ct)
    {
        var found = await _history.Find(MetadataCommands.OwnedBy<SearchHistoryDocument>(owner, f => f.Eq(d => d.Owner, owner)))
            .Sort(MetadataCommands.HistoryNewestFirst)
            .Limit(take)
            .ToListAsync(ct).ConfigureAwait(false);
        return found.ConvertAll(d => d.ToEntry());
    }

    public async Task<IngestReceipt> KeepIngestReceiptAsync(IngestReceipt receipt, DateTimeOffset forgetBefore, CancellationToken ct)
    {
        await _receipts.DeleteManyAsync(MetadataCommands.ReceiptsBefore(forgetBefore), ct).ConfigureAwait(false);
        var kept = await _receipts.FindOneAndUpdateAsync(
            MetadataCommands.Receipt(receipt.Key),
            MetadataCommands.KeepFirst(receipt),
            new FindOneAndUpdateOptions<IngestReceiptDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After },
            ct).ConfigureAwait(false);
        return kept.ToReceipt();
    }

    public Task MarkIngestReceiptWrittenAsync(string key, CancellationToken ct) =>
        _receipts.UpdateOneAsync(MetadataCommands.Receipt(key), MetadataCommands.ReceiptWritten, cancellationToken: ct);

    public Task ForgetIngestReceiptAsync(string key, CancellationToken ct) => _receipts.DeleteOneAsync(MetadataCommands.Receipt(key), ct);

    public async Task<IngestReceipt?> GetIngestReceiptAsync(string key, CancellationToken ct)
    {
        var found = await _receipts.Find(MetadataCommands.Receipt(key)).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return found?.ToReceipt();
    }

    private async Task AdvanceAsync(string id, CancellationToken ct)
    {
        var file = await _files.Find(MetadataCommands.File(id)).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (file is not null && MetadataCommands.Advance(file, clock.GetUtcNow()) is var (filter, update))
        {
            await _files.UpdateOneAsync(filter, update, cancellationToken: ct).ConfigureAwait(false);
        }
    }
}
