using MongoDB.Driver;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.MongoDB.Identity;

/// <summary>
/// Users, sessions, API tokens, ingest keys and the audit log in MongoDB, every write acknowledged by a majority of the
/// replica set so a failover loses no sign-out, revocation or audit entry. Secrets are stored as hashes only; the audit
/// collection is only ever appended to, except by its retention. Semantics are those of the SQLite store.
/// </summary>
internal sealed class MongoIdentityStore : IIdentityStore, IMongoSchema
{
    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<UserDocument> _users;
    private readonly IMongoCollection<SessionDocument> _sessions;
    private readonly IMongoCollection<TokenDocument> _tokens;
    private readonly IMongoCollection<IngestKeyDocument> _keys;
    private readonly IMongoCollection<AuditDocument> _audit;
    private readonly IMongoCollection<CounterDocument> _counters;

    public MongoIdentityStore(IMongoDatabase database)
    {
        _database = database.WithWriteConcern(WriteConcern.WMajority);
        _users = _database.GetCollection<UserDocument>(IdentityCommands.Users);
        _sessions = _database.GetCollection<SessionDocument>(IdentityCommands.Sessions);
        _tokens = _database.GetCollection<TokenDocument>(IdentityCommands.Tokens);
        _keys = _database.GetCollection<IngestKeyDocument>(IdentityCommands.IngestKeys);
        _audit = _database.GetCollection<AuditDocument>(IdentityCommands.Audit);
        _counters = _database.GetCollection<CounterDocument>(Sequences.Collection);
    }

    public async Task CreateIndexesAsync(CancellationToken ct)
    {
        await _users.Indexes.CreateManyAsync([IdentityCommands.UniqueName, IdentityCommands.UniqueExternalSubject], ct).ConfigureAwait(false);
        await _sessions.Indexes.CreateOneAsync(IdentityCommands.SessionsByUser, cancellationToken: ct).ConfigureAwait(false);
        await _tokens.Indexes.CreateManyAsync([IdentityCommands.UniqueHash<TokenDocument>(), IdentityCommands.TokensByUser], ct).ConfigureAwait(false);
        await _keys.Indexes.CreateOneAsync(IdentityCommands.UniqueHash<IngestKeyDocument>(), cancellationToken: ct).ConfigureAwait(false);
        await _audit.Indexes.CreateManyAsync([IdentityCommands.AuditByTime, IdentityCommands.AuditByActor], ct).ConfigureAwait(false);
    }

    public Task<long> CountUsersAsync(CancellationToken ct) => _users.CountDocumentsAsync(FilterDefinition<UserDocument>.Empty, cancellationToken: ct);

    public async Task<bool> CreateUserAsync(User user, CancellationToken ct)
    {
        try
        {
            await _users.InsertOneAsync(UserDocument.From(user), cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<bool> UpdateUserAsync(User user, CancellationToken ct) =>
        (await _users.ReplaceOneAsync(d => d.Id == user.Id, UserDocument.From(user), cancellationToken: ct).ConfigureAwait(false)).MatchedCount > 0;

    public async Task<bool> DeleteUserAsync(string id, CancellationToken ct)
    {
        using var session = await _database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        return await session.WithTransactionAsync(
            async (s, token) =>
            {
                await _sessions.DeleteManyAsync(s, d => d.UserId == id, cancellationToken: token).ConfigureAwait(false);
                await _tokens.DeleteManyAsync(s, d => d.UserId == id, cancellationToken: token).ConfigureAwait(false);
                return (await _users.DeleteOneAsync(s, d => d.Id == id, cancellationToken: token).ConfigureAwait(false)).DeletedCount > 0;
            },
            new TransactionOptions(writeConcern: WriteConcern.WMajority),
            ct).ConfigureAwait(false);
    }

    public Task<User?> GetUserAsync(string id, CancellationToken ct) => FindUserAsync(Builders<UserDocument>.Filter.Eq(d => d.Id, id), ct);

    public Task<User?> FindUserByNameAsync(string name, CancellationToken ct) => FindUserAsync(IdentityCommands.UserNamed(name), ct);

    public Task<User?> FindUserByExternalSubjectAsync(string subject, CancellationToken ct) =>
        FindUserAsync(Builders<UserDocument>.Filter.Eq(d => d.ExternalSubject, subject), ct);

    public async Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct) =>
        (await _users.Find(FilterDefinition<UserDocument>.Empty).SortBy(d => d.NameKey).ToListAsync(ct).ConfigureAwait(false)).ConvertAll(d => d.ToUser());

    public Task CreateSessionAsync(Session session, CancellationToken ct) => _sessions.InsertOneAsync(SessionDocument.From(session), cancellationToken: ct);

    public async Task<Session?> GetSessionAsync(string hash, CancellationToken ct) =>
        (await _sessions.Find(d => d.Hash == hash).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.ToSession();

    public Task TouchSessionAsync(string hash, DateTimeOffset seenAt, CancellationToken ct) =>
        _sessions.UpdateOneAsync(d => d.Hash == hash, IdentityCommands.Touch(seenAt), cancellationToken: ct);

    public Task DeleteSessionAsync(string hash, CancellationToken ct) => _sessions.DeleteOneAsync(d => d.Hash == hash, ct);

    public async Task<int> DeleteSessionsOfUserAsync(string userId, CancellationToken ct) =>
        (int)(await _sessions.DeleteManyAsync(d => d.UserId == userId, ct).ConfigureAwait(false)).DeletedCount;

    public async Task<int> DeleteExpiredSessionsAsync(DateTimeOffset now, DateTimeOffset idleSince, CancellationToken ct) =>
        (int)(await _sessions.DeleteManyAsync(IdentityCommands.Expired(now, idleSince), ct).ConfigureAwait(false)).DeletedCount;

    public Task CreateTokenAsync(ApiToken token, CancellationToken ct) => _tokens.InsertOneAsync(TokenDocument.From(token), cancellationToken: ct);

    public async Task<ApiToken?> FindTokenByHashAsync(string hash, CancellationToken ct) =>
        (await _tokens.Find(d => d.Hash == hash).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.ToToken();

    public async Task<ApiToken?> GetTokenAsync(string id, CancellationToken ct) =>
        (await _tokens.Find(d => d.Id == id).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.ToToken();

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? userId, CancellationToken ct)
    {
        var filter = userId is null ? FilterDefinition<TokenDocument>.Empty : Builders<TokenDocument>.Filter.Eq(d => d.UserId, userId);
        var found = await _tokens.Find(filter).Sort(IdentityCommands.NewestFirst<TokenDocument>()).ToListAsync(ct).ConfigureAwait(false);
        return found.ConvertAll(d => d.ToToken());
    }

    public Task TouchTokenAsync(string id, DateTimeOffset usedAt, CancellationToken ct) =>
        _tokens.UpdateOneAsync(d => d.Id == id, IdentityCommands.Use<TokenDocument>(usedAt), cancellationToken: ct);

    public async Task<bool> RevokeTokenAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        (await _tokens.UpdateOneAsync(IdentityCommands.Unrevoked<TokenDocument>(id), IdentityCommands.Revoke<TokenDocument>(at), cancellationToken: ct)
            .ConfigureAwait(false)).ModifiedCount > 0;

    public Task CreateIngestKeyAsync(IngestKey key, CancellationToken ct) => _keys.InsertOneAsync(IngestKeyDocument.From(key), cancellationToken: ct);

    public async Task<IngestKey?> FindIngestKeyByHashAsync(string hash, CancellationToken ct) =>
        (await _keys.Find(d => d.Hash == hash).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.ToKey();

    public async Task<IReadOnlyList<IngestKey>> ListIngestKeysAsync(CancellationToken ct) =>
        (await _keys.Find(FilterDefinition<IngestKeyDocument>.Empty).Sort(IdentityCommands.NewestFirst<IngestKeyDocument>()).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => d.ToKey());

    public Task TouchIngestKeyAsync(string id, DateTimeOffset usedAt, CancellationToken ct) =>
        _keys.UpdateOneAsync(d => d.Id == id, IdentityCommands.Use<IngestKeyDocument>(usedAt), cancellationToken: ct);

    public async Task<bool> RevokeIngestKeyAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        (await _keys.UpdateOneAsync(IdentityCommands.Unrevoked<IngestKeyDocument>(id), IdentityCommands.Revoke<IngestKeyDocument>(at), cancellationToken: ct)
            .ConfigureAwait(false)).ModifiedCount > 0;

    public async Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken ct)
    {
        var stored = AuditDocument.From(entry, await _counters.TakeAsync(null, IdentityCommands.AuditSequence, 1, ct).ConfigureAwait(false));
        await _audit.InsertOneAsync(stored, cancellationToken: ct).ConfigureAwait(false);
        return entry with { Id = stored.Id };
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken ct) =>
        (await _audit.Find(IdentityCommands.AuditMatching(query)).SortByDescending(d => d.Id).Limit(query.Limit).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => d.ToEntry());

    public async Task<int> DeleteAuditBeforeAsync(DateTimeOffset before, CancellationToken ct) =>
        (int)(await _audit.DeleteManyAsync(d => d.At < before.UtcTicks, ct).ConfigureAwait(false)).DeletedCount;

    private async Task<User?> FindUserAsync(FilterDefinition<UserDocument> filter, CancellationToken ct) =>
        (await _users.Find(filter).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.ToUser();
}
