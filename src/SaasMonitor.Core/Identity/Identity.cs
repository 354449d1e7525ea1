namespace SaasMonitor.Core.Identity;

/// <summary>What a person may do. Each role includes the ones below it: admin ⊃ editor ⊃ viewer.</summary>
public enum Role
{
    /// <summary>Reads: search, stats, charts, live tail, export.</summary>
    Viewer = 1,

    /// <summary>Also uploads, deletes files, shares saved searches, manages alert rules and silences, redrives dead letters.</summary>
    Editor = 2,

    /// <summary>Also manages users, tokens, ingest keys and settings, reads the audit log.</summary>
    Admin = 3,
}

/// <summary>
/// A person who signs in. <see cref="PasswordHash"/> is null for users who only sign in through OpenID Connect.
/// <see cref="SecurityStamp"/> changes whenever the password, role or status changes.
/// </summary>
public sealed record User(
    string Id,
    string Name,
    Role Role,
    string? PasswordHash,
    bool Disabled,
    DateTimeOffset CreatedAt,
    string? ExternalSubject = null,
    int FailedSignIns = 0,
    DateTimeOffset? LockedUntil = null,
    DateTimeOffset? LastSignInAt = null);

/// <summary>A signed-in browser. The cookie carries the secret; the store keeps only its hash, so deleting the row signs the browser out.</summary>
public sealed record Session(
    string Hash,
    string UserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    string? Address);

/// <summary>
/// A personal bearer token for scripts and the command line. Acts with <see cref="Role"/>, never above its owner's
/// current role. Only its hash is stored; <see cref="Prefix"/> identifies it in lists.
/// </summary>
public sealed record ApiToken(
    string Id,
    string UserId,
    string Name,
    Role Role,
    string Prefix,
    string Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt = null,
    DateTimeOffset? RevokedAt = null);

/// <summary>
/// A key a shipper sends logs with. It can only ingest; the server stamps <see cref="Source"/> on everything sent with it. Only its hash is stored; <see cref="Prefix"/> identifies it in lists.
/// </summary>
public sealed record IngestKey(
    string Id,
    string Name,
    string Source,
    string Prefix,
    string Hash,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? LastUsedAt = null,
    DateTimeOffset? RevokedAt = null);

/// <summary>One security decision: who (<see cref="Actor"/>), when, from where, what (<see cref="Action"/> on <see cref="Target"/>), and how it ended.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? Actor,
    string Action,
    string? Target,
    string? Address,
    bool Success,
    string? Detail);

/// <summary>Filters of the audit log; null means any.</summary>
public sealed record AuditQuery(
    string? Actor = null,
    string? Action = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? Before = null,
    int Limit = 100);
