using MongoDB.Bson;
using MongoDB.Driver;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Kpis;

namespace SaasMonitor.MongoDB.Kpis;

/// <summary>
/// KPI windows, distinct-user windows and the aggregator's consumed offsets in MongoDB. A batch is merged and its
/// offsets stored in one multi-document transaction (majority write concern), so after a crash either both or neither
/// are stored and a replayed batch is never counted twice. KPI windows merge on the server (<c>$inc</c>/<c>$max</c>
/// upserts); user windows are read, merged and replaced inside the transaction, as the aggregator is their one writer.
/// </summary>
internal sealed class MongoKpiStore(IMongoDatabase database) : IKpiStore, IMongoSchema
{
    private static readonly TransactionOptions Atomic = new(ReadConcern.Snapshot, writeConcern: WriteConcern.WMajority);

    private readonly IMongoCollection<KpiWindowDocument> _windows = database.GetCollection<KpiWindowDocument>(KpiCommands.Windows);
    private readonly IMongoCollection<UserWindowDocument> _users = database.GetCollection<UserWindowDocument>(KpiCommands.Users);
    private readonly IMongoCollection<OffsetDocument> _offsets = database.GetCollection<OffsetDocument>(KpiCommands.Offsets);

    public async Task CreateIndexesAsync(CancellationToken ct)
    {
        await _windows.Indexes.CreateOneAsync(KpiCommands.WindowIndex, cancellationToken: ct).ConfigureAwait(false);
        await _users.Indexes.CreateOneAsync(KpiCommands.UserIndex, cancellationToken: ct).ConfigureAwait(false);
        await _offsets.Indexes.CreateOneAsync(KpiCommands.OffsetIndex, cancellationToken: ct).ConfigureAwait(false);
    }

    public async Task ApplyAsync(KpiBatch batch, string consumerGroup, IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var session = await database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        await session.WithTransactionAsync(
            async (s, token) =>
            {
                if (batch.Windows.Count > 0)
                {
                    var merges = batch.Windows.Select(w => new UpdateOneModel<KpiWindowDocument>(KpiCommands.WindowKey(w), KpiCommands.Merge(w)) { IsUpsert = true });
                    await _windows.BulkWriteAsync(s, merges, new BulkWriteOptions { IsOrdered = false }, token).ConfigureAwait(false);
                }

                await MergeUsersAsync(s, batch.Users, token).ConfigureAwait(false);
                var stored = offsets.Select(o => KpiCommands.StoreOffset(consumerGroup, o)).ToList();
                if (stored.Count > 0)
                {
                    await _offsets.BulkWriteAsync(s, stored, cancellationToken: token).ConfigureAwait(false);
                }

                token.ThrowIfCancellationRequested();
                return true;
            },
            Atomic,
            ct).ConfigureAwait(false);
    }

    public IReadOnlyList<TopicPartitionOffset> GetOffsets(string consumerGroup) =>
        _offsets.Find(KpiCommands.OffsetsOf(consumerGroup))
            .SortBy(d => d.Topic).ThenBy(d => d.Partition)
            .ToList()
            .ConvertAll(d => new TopicPartitionOffset(d.Topic, d.Partition, d.Next));

    public async Task<IReadOnlyList<KpiWindow>> QueryAsync(KpiQuery query, CancellationToken ct)
    {
        var found = await _windows.Find(KpiCommands.Range<KpiWindowDocument>(query)).SortBy(d => d.Start).ToListAsync(ct).ConfigureAwait(false);
        return found.ConvertAll(d => d.ToWindow());
    }

    public async Task<IReadOnlyList<UserWindow>> QueryUsersAsync(KpiQuery query, CancellationToken ct)
    {
        var found = await _users.Find(KpiCommands.Range<UserWindowDocument>(query)).SortBy(d => d.Start).ToListAsync(ct).ConfigureAwait(false);
        return found.ConvertAll(d => d.ToWindow());
    }

    public async Task<IReadOnlyList<string>> ListFilesAsync(CancellationToken ct)
    {
        using var files = await _windows.DistinctAsync(d => d.File, KpiCommands.AnyFile, cancellationToken: ct).ConfigureAwait(false);
        return [.. (await files.ToListAsync(ct).ConfigureAwait(false)).Order(StringComparer.Ordinal)];
    }

    public async Task DeleteFileAsync(string fileId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileId);
        using var session = await database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        await session.WithTransactionAsync(
            async (s, token) =>
            {
                await _windows.DeleteManyAsync(s, KpiCommands.OfFile<KpiWindowDocument>(fileId), cancellationToken: token).ConfigureAwait(false);
                await _users.DeleteManyAsync(s, KpiCommands.OfFile<UserWindowDocument>(fileId), cancellationToken: token).ConfigureAwait(false);
                return true;
            },
            Atomic,
            ct).ConfigureAwait(false);
    }

    public async Task DeleteOlderThanAsync(KpiGranularity granularity, DateTimeOffset cutoff, CancellationToken ct)
    {
        await _windows.DeleteManyAsync(KpiCommands.OlderThan<KpiWindowDocument>(granularity, cutoff), ct).ConfigureAwait(false);
        await _users.DeleteManyAsync(KpiCommands.OlderThan<UserWindowDocument>(granularity, cutoff), ct).ConfigureAwait(false);
    }

    private async Task MergeUsersAsync(IClientSessionHandle session, IReadOnlyCollection<UserWindow> windows, CancellationToken ct)
    {
        var replacements = new List<ReplaceOneModel<UserWindowDocument>>(windows.Count);
        foreach (var granularity in windows.GroupBy(w => w.Granularity))
        {
            var stored = (await _users.Find(session, KpiCommands.UserWindowsOf(granularity.Key, granularity)).ToListAsync(ct).ConfigureAwait(false))
                .ToDictionary(d => (d.Start, d.Service, d.File));
            foreach (var window in granularity)
            {
                var merged = new UserWindow { Granularity = window.Granularity, Start = window.Start, Service = window.Service, FileId = window.FileId };
                var id = ObjectId.Empty;
                if (stored.TryGetValue((window.Start.UtcTicks, window.Service, window.FileId), out var existing))
                {
                    merged.Users = DistinctCounter.FromBytes(existing.Users);
                    id = existing.Id;
                }

                merged.Users.Merge(window.Users);
                replacements.Add(KpiCommands.StoreUsers(merged, id));
            }
        }

        if (replacements.Count > 0)
        {
            await _users.BulkWriteAsync(session, replacements, new BulkWriteOptions { IsOrdered = false }, ct).ConfigureAwait(false);
        }
    }
}
