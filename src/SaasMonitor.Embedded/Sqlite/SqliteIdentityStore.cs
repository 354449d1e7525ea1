using Microsoft.Data.Sqlite;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Embedded.Sqlite;

/// <summary>
/// Users, sessions, API tokens, ingest keys and the audit log in SQLite (WAL). Secrets are stored as hashes only.
/// The audit table is only ever appended to, except by its retention.
/// </summary>
public sealed class SqliteIdentityStore : IIdentityStore, IDisposable
{
    internal const int SchemaSlot = 2;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role INTEGER NOT NULL,
            password_hash TEXT,
            disabled INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            external_subject TEXT UNIQUE,
            failed_sign_ins INTEGER NOT NULL,
            locked_until INTEGER,
            last_sign_in_at INTEGER
        );
        CREATE TABLE sessions (
            hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            address TEXT
        ) WITHOUT ROWID;
        CREATE INDEX sessions_by_user ON sessions (user_id);
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            role INTEGER NOT NULL,
            prefix TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            last_used_at INTEGER,
            revoked_at INTEGER
        );
        CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at DESC);
        CREATE TABLE ingest_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            prefix TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            last_used_at INTEGER,
            revoked_at INTEGER
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT,
            action TEXT NOT NULL,
            target TEXT,
            address TEXT,
            success INTEGER NOT NULL,
            detail TEXT
        );
        CREATE INDEX audit_by_time ON audit (at);
        CREATE INDEX audit_by_actor ON audit (actor COLLATE NOCASE, id);
        """,
    ];

    private const string UserColumns = "id, name, role, password_hash, disabled, created_at, external_subject, failed_sign_ins, locked_until, last_sign_in_at";
    private const string SessionColumns = "hash, user_id, created_at, last_seen_at, expires_at, address";
    private const string TokenColumns = "id, user_id, name, role, prefix, hash, created_at, expires_at, last_used_at, revoked_at";
    private const string KeyColumns = "id, name, source, prefix, hash, created_at, created_by, last_used_at, revoked_at";
    private const string AuditColumns = "id, at, actor, action, target, address, success, detail";

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;

    public SqliteIdentityStore(SqliteOptions options)
    {
        _connection = SqliteDatabase.OpenMigrated(options, SchemaSlot, Migrations);
    }

    public Task<long> CountUsersAsync(CancellationToken ct) => Task.FromResult(Scalar("SELECT COUNT(*) FROM users", ct));

    public Task<bool> CreateUserAsync(User user, CancellationToken ct) => Task.FromResult(Execute(
        $"INSERT INTO users ({UserColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        ct,
        UserValues(user)) > 0);

    public Task<bool> UpdateUserAsync(User user, CancellationToken ct) => Task.FromResult(Execute(
        """
        UPDATE users SET name = $2, role = $3, password_hash = $4, disabled = $5, created_at = $6, external_subject = $7,
            failed_sign_ins = $8, locked_until = $9, last_sign_in_at = $10
        WHERE id = $1
        """,
        ct,
        UserValues(user)) > 0);

    public Task<bool> DeleteUserAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            Run(transaction, "DELETE FROM sessions WHERE user_id = $1", id);
            Run(transaction, "DELETE FROM api_tokens WHERE user_id = $1", id);
            var deleted = Run(transaction, "DELETE FROM users WHERE id = $1", id) > 0;
            transaction.Commit();
            return Task.FromResult(deleted);
        }
    }

    public Task<User?> GetUserAsync(string id, CancellationToken ct) =>
        Task.FromResult(Single($"SELECT {UserColumns} FROM users WHERE id = $1", ReadUser, ct, id));

    public Task<User?> FindUserByNameAsync(string name, CancellationToken ct) =>
        Task.FromResult(Single($"SELECT {UserColumns} FROM users WHERE name = $1", ReadUser, ct, name));

    public Task<User?> FindUserByExternalSubjectAsync(string subject, CancellationToken ct) =>
        Task.FromResult(Single($"SELECT {UserColumns} FROM users WHERE external_subject = $1", ReadUser, ct, subject));

    public Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct) =>
        Task.FromResult(Query($"SELECT {UserColumns} FROM users ORDER BY name COLLATE NOCASE", ReadUser, ct));

    public Task CreateSessionAsync(Session session, CancellationToken ct)
    {
        Execute(
            $"INSERT INTO sessions ({SessionColumns}) VALUES ($1, $2, $3, $4, $5, $6)",
            ct,
            session.Hash,
            session.UserId,
            session.CreatedAt.UtcTicks,
            session.LastSeenAt.UtcTicks,
            session.ExpiresAt.UtcTicks,
            session.Address);
        return Task.CompletedTask;
    }

    public Task<Session?> GetSessionAsync(string hash, CancellationToken ct) =>
        Task.FromResult(Single(
            $"SELECT {SessionColumns} FROM sessions WHERE hash = $1",
            r => new Session(r.GetString(0), r.GetString(1), Time(r, 2), Time(r, 3), Time(r, 4), Text(r, 5)),
            ct,
            hash));

    public Task TouchSessionAsync(string hash, DateTimeOffset seenAt, CancellationToken ct)
    {
        Execute("UPDATE sessions SET last_seen_at = MAX(last_seen_at, $2) WHERE hash = $1", ct, hash, seenAt.UtcTicks);
        return Task.CompletedTask;
    }

    public Task DeleteSessionAsync(string hash, CancellationToken ct)
    {
        Execute("DELETE FROM sessions WHERE hash = $1", ct, hash);
        return Task.CompletedTask;
    }

    public Task<int> DeleteSessionsOfUserAsync(string userId, CancellationToken ct) =>
        Task.FromResult(Execute("DELETE FROM sessions WHERE user_id = $1", ct, userId));

    public Task<int> DeleteExpiredSessionsAsync(DateTimeOffset now, DateTimeOffset idleSince, CancellationToken ct) =>
        Task.FromResult(Execute("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2", ct, now.UtcTicks, idleSince.UtcTicks));

    public Task CreateTokenAsync(ApiToken token, CancellationToken ct)
    {
        Execute(
            $"INSERT INTO api_tokens ({TokenColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            ct,
            token.Id,
            token.UserId,
            token.Name,
            (int)token.Role,
            token.Prefix,
            token.Hash,
            token.CreatedAt.UtcTicks,
            token.ExpiresAt?.UtcTicks,
            token.LastUsedAt?.UtcTicks,
            token.RevokedAt?.UtcTicks);
        return Task.CompletedTask;
    }

    public Task<ApiToken?> FindTokenByHashAsync(string hash, CancellationToken ct) =>
        Task.FromResult(Single($"SELECT {TokenColumns} FROM api_tokens WHERE hash = $1", ReadToken, ct, hash));

    public Task<ApiToken?> GetTokenAsync(string id, CancellationToken ct) =>
        Task.FromResult(Single($"SELECT {TokenColumns} FROM api_tokens WHERE id = $1", ReadToken, ct, id));

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? userId, CancellationToken ct) =>
        Task.FromResult(Query($"SELECT {TokenColumns} FROM api_tokens WHERE $1 IS NULL OR user_id = $1 ORDER BY created_at DESC, id", ReadToken, ct, userId));

    public Task TouchTokenAsync(string id, DateTimeOffset usedAt, CancellationToken ct)
    {
        Execute("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", ct, id, usedAt.UtcTicks);
        return Task.CompletedTask;
    }

    public Task<bool> RevokeTokenAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(Execute("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", ct, id, at.UtcTicks) > 0);

    public Task CreateIngestKeyAsync(IngestKey key, CancellationToken ct)
    {
        Execute(
            $"INSERT INTO ingest_keys ({KeyColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            ct,
            key.Id,
            key.Name,
            key.Source,
            key.Prefix,
            key.Hash,
            key.CreatedAt.UtcTicks,
            key.CreatedBy,
            key.LastUsedAt?.UtcTicks,
            key.RevokedAt?.UtcTicks);
        return Task.CompletedTask;
    }

    public Task<IngestKey?> FindIngestKeyByHashAsync(string hash, CancellationToken ct) =>
        Task.FromResult(Single($"SELECT {KeyColumns} FROM ingest_keys WHERE hash = $1", ReadKey, ct, hash));

    public Task<IReadOnlyList<IngestKey>> ListIngestKeysAsync(CancellationToken ct) =>
        Task.FromResult(Query($"SELECT {KeyColumns} FROM ingest_keys ORDER BY created_at DESC, id", ReadKey, ct));

    public Task TouchIngestKeyAsync(string id, DateTimeOffset usedAt, CancellationToken ct)
    {
        Execute("UPDATE ingest_keys SET last_used_at = $2 WHERE id = $1", ct, id, usedAt.UtcTicks);
        return Task.CompletedTask;
    }

    public Task<bool> RevokeIngestKeyAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(Execute("UPDATE ingest_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", ct, id, at.UtcTicks) > 0);

    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken ct)
    {
        var id = Scalar(
            "INSERT INTO audit (at, actor, action, target, address, success, detail) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            ct,
            entry.At.UtcTicks,
            entry.Actor,
            entry.Action,
            entry.Target,
            entry.Address,
            entry.Success ? 1 : 0,
            entry.Detail);
        return Task.FromResult(entry with { Id = id });
    }

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken ct) =>
        Task.FromResult(Query(
            $"""
            SELECT {AuditColumns} FROM audit
            WHERE ($1 IS NULL OR actor = $1 COLLATE NOCASE) AND ($2 IS NULL OR action = $2)
              AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) AND ($5 IS NULL OR id < $5)
            ORDER BY id DESC LIMIT $6
            """,
            r => new AuditEntry(r.GetInt64(0), Time(r, 1), Text(r, 2), r.GetString(3), Text(r, 4), Text(r, 5), r.GetInt64(6) != 0, Text(r, 7)),
            ct,
            query.Actor,
            query.Action,
            query.From?.UtcTicks,
            query.To?.UtcTicks,
            query.Before,
            query.Limit));

    public Task<int> DeleteAuditBeforeAsync(DateTimeOffset before, CancellationToken ct) =>
        Task.FromResult(Execute("DELETE FROM audit WHERE at < $1", ct, before.UtcTicks));

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private static object?[] UserValues(User u) =>
    [
        u.Id, u.Name, (int)u.Role, u.PasswordHash, u.Disabled ? 1 : 0, u.CreatedAt.UtcTicks, u.ExternalSubject,
        u.FailedSignIns, u.LockedUntil?.UtcTicks, u.LastSignInAt?.UtcTicks,
    ];

    private static User ReadUser(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        (Role)r.GetInt32(2),
        Text(r, 3),
        r.GetInt64(4) != 0,
        Time(r, 5),
        Text(r, 6),
        r.GetInt32(7),
        OptionalTime(r, 8),
        OptionalTime(r, 9));

    private static ApiToken ReadToken(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        (Role)r.GetInt32(3),
        r.GetString(4),
        r.GetString(5),
        Time(r, 6),
        OptionalTime(r, 7),
        OptionalTime(r, 8),
        OptionalTime(r, 9));

    private static IngestKey ReadKey(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        Time(r, 5),
        r.GetString(6),
        OptionalTime(r, 7),
        OptionalTime(r, 8));

    private static DateTimeOffset Time(SqliteDataReader r, int ordinal) => new(r.GetInt64(ordinal), TimeSpan.Zero);

    private static DateTimeOffset? OptionalTime(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Time(r, ordinal);

    private static string? Text(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private int Execute(string sql, CancellationToken ct, params object?[] values)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Run(null, sql, values);
        }
    }

    private long Scalar(string sql, CancellationToken ct, params object?[] values)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var command = Command(null, sql, values);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private T? Single<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct, params object?[] values)
        where T : class =>
        Query(sql, read, ct, values) is [var only, ..] ? only : null;

    private IReadOnlyList<T> Query<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct, params object?[] values)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var command = Command(null, sql, values);
            using var reader = command.ExecuteReader();
            var results = new List<T>();
            while (reader.Read())
            {
                results.Add(read(reader));
            }

            return results;
        }
    }

    private int Run(SqliteTransaction? transaction, string sql, params object?[] values)
    {
        using var command = Command(transaction, sql, values);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql, object?[] values) =>
        SqliteDatabase.Command(_connection, transaction, sql, values);
}
