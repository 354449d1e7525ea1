namespace SaasMonitor.Core.Identity;

/// <summary>
/// Users, sessions, API tokens, ingest keys and the append-only audit log. Implemented by the embedded SQLite store
/// (and by MongoDB in the distributed shape). Names compare case-insensitively; secrets are looked up by their hash.
/// </summary>
public interface IIdentityStore
{
    Task<long> CountUsersAsync(CancellationToken ct);

    /// <summary>Adds a user; false when the name is taken.</summary>
    Task<bool> CreateUserAsync(User user, CancellationToken ct);

    /// <summary>Replaces a user by id; false when there is no such user.</summary>
    Task<bool> UpdateUserAsync(User user, CancellationToken ct);

    /// <summary>Removes a user with its sessions and tokens; false when there is no such user.</summary>
    Task<bool> DeleteUserAsync(string id, CancellationToken ct);

    Task<User?> GetUserAsync(string id, CancellationToken ct);

    Task<User?> FindUserByNameAsync(string name, CancellationToken ct);

    Task<User?> FindUserByExternalSubjectAsync(string subject, CancellationToken ct);

    /// <summary>Ordered by name.</summary>
    Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct);

    Task CreateSessionAsync(Session session, CancellationToken ct);

    Task<Session?> GetSessionAsync(string hash, CancellationToken ct);

    Task TouchSessionAsync(string hash, DateTimeOffset seenAt, CancellationToken ct);

    Task DeleteSessionAsync(string hash, CancellationToken ct);

    /// <summary>Signs a user out everywhere; returns how many sessions ended.</summary>
    Task<int> DeleteSessionsOfUserAsync(string userId, CancellationToken ct);

    /// <summary>Removes sessions past their absolute expiry or idle since before <paramref name="idleSince"/>.</summary>
    Task<int> DeleteExpiredSessionsAsync(DateTimeOffset now, DateTimeOffset idleSince, CancellationToken ct);

    Task CreateTokenAsync(ApiToken token, CancellationToken ct);

    Task<ApiToken?> FindTokenByHashAsync(string hash, CancellationToken ct);

    Task<ApiToken?> GetTokenAsync(string id, CancellationToken ct);

    /// <summary>Newest first; a null owner lists every user's tokens.</summary>
    Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? userId, CancellationToken ct);

    Task TouchTokenAsync(string id, DateTimeOffset usedAt, CancellationToken ct);

    /// <summary>False when there is no such token or it is revoked already.</summary>
    Task<bool> RevokeTokenAsync(string id, DateTimeOffset at, CancellationToken ct);

    Task CreateIngestKeyAsync(IngestKey key, CancellationToken ct);

    Task<IngestKey?> FindIngestKeyByHashAsync(string hash, CancellationToken ct);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<IngestKey>> ListIngestKeysAsync(CancellationToken ct);

    Task TouchIngestKeyAsync(string id, DateTimeOffset usedAt, CancellationToken ct);

    /// <summary>False when there is no such key or it is revoked already.</summary>
    Task<bool> RevokeIngestKeyAsync(string id, DateTimeOffset at, CancellationToken ct);

    /// <summary>Appends an entry (its id is assigned by the store) and returns it as stored.</summary>
    Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken ct);

    /// <summary>Newest first, at most <see cref="AuditQuery.Limit"/> entries with ids below <see cref="AuditQuery.Before"/>.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken ct);

    /// <summary>Removes audit entries older than <paramref name="before"/>: the audit log's own retention, the only way entries leave it.</summary>
    Task<int> DeleteAuditBeforeAsync(DateTimeOffset before, CancellationToken ct);
}
