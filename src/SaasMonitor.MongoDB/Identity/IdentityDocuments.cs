using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.MongoDB.Identity;

internal sealed class UserDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("name")]
    public string Name { get; set; } = "";

    /// <summary>The name folded to lower case: names are unique and found in any case.</summary>
    [BsonElement("nameKey")]
    public string NameKey { get; set; } = "";

    [BsonElement("role")]
    [BsonRepresentation(BsonType.Int32)]
    public Role Role { get; set; }

    [BsonElement("passwordHash")]
    [BsonIgnoreIfNull]
    public string? PasswordHash { get; set; }

    [BsonElement("disabled")]
    public bool Disabled { get; set; }

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    [BsonElement("externalSubject")]
    [BsonIgnoreIfNull]
    public string? ExternalSubject { get; set; }

    [BsonElement("failedSignIns")]
    public int FailedSignIns { get; set; }

    [BsonElement("lockedUntil")]
    [BsonIgnoreIfNull]
    public long? LockedUntil { get; set; }

    [BsonElement("lastSignInAt")]
    [BsonIgnoreIfNull]
    public long? LastSignInAt { get; set; }

    public static UserDocument From(User u) => new()
    {
        Id = u.Id,
        Name = u.Name,
        NameKey = IdentityCommands.Fold(u.Name),
        Role = u.Role,
        PasswordHash = u.PasswordHash,
        Disabled = u.Disabled,
        CreatedAt = u.CreatedAt.UtcTicks,
        ExternalSubject = u.ExternalSubject,
        FailedSignIns = u.FailedSignIns,
        LockedUntil = u.LockedUntil?.UtcTicks,
        LastSignInAt = u.LastSignInAt?.UtcTicks,
    };

    public User ToUser() => new(
        Id, Name, Role, PasswordHash, Disabled, Ticks.ToTime(CreatedAt), ExternalSubject, FailedSignIns, Ticks.ToTime(LockedUntil), Ticks.ToTime(LastSignInAt));
}

internal sealed class SessionDocument
{
    [BsonId]
    public string Hash { get; set; } = "";

    [BsonElement("userId")]
    public string UserId { get; set; } = "";

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    [BsonElement("lastSeenAt")]
    public long LastSeenAt { get; set; }

    [BsonElement("expiresAt")]
    public long ExpiresAt { get; set; }

    [BsonElement("address")]
    [BsonIgnoreIfNull]
    public string? Address { get; set; }

    public static SessionDocument From(Session s) => new()
    {
        Hash = s.Hash,
        UserId = s.UserId,
        CreatedAt = s.CreatedAt.UtcTicks,
        LastSeenAt = s.LastSeenAt.UtcTicks,
        ExpiresAt = s.ExpiresAt.UtcTicks,
        Address = s.Address,
    };

    public Session ToSession() => new(Hash, UserId, Ticks.ToTime(CreatedAt), Ticks.ToTime(LastSeenAt), Ticks.ToTime(ExpiresAt), Address);
}

/// <summary>What API tokens and ingest keys share: an id, a hash that finds them, when they were made, used and revoked.</summary>
internal abstract class SecretDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("name")]
    public string Name { get; set; } = "";

    [BsonElement("prefix")]
    public string Prefix { get; set; } = "";

    [BsonElement("hash")]
    public string Hash { get; set; } = "";

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    [BsonElement("lastUsedAt")]
    [BsonIgnoreIfNull]
    public long? LastUsedAt { get; set; }

    [BsonElement("revokedAt")]
    [BsonIgnoreIfNull]
    public long? RevokedAt { get; set; }
}

internal sealed class TokenDocument : SecretDocument
{
    [BsonElement("userId")]
    public string UserId { get; set; } = "";

    [BsonElement("role")]
    [BsonRepresentation(BsonType.Int32)]
    public Role Role { get; set; }

    [BsonElement("expiresAt")]
    [BsonIgnoreIfNull]
    public long? ExpiresAt { get; set; }

    public static TokenDocument From(ApiToken t) => new()
    {
        Id = t.Id,
        UserId = t.UserId,
        Name = t.Name,
        Role = t.Role,
        Prefix = t.Prefix,
        Hash = t.Hash,
        CreatedAt = t.CreatedAt.UtcTicks,
        ExpiresAt = t.ExpiresAt?.UtcTicks,
        LastUsedAt = t.LastUsedAt?.UtcTicks,
        RevokedAt = t.RevokedAt?.UtcTicks,
    };

    public ApiToken ToToken() => new(
        Id, UserId, Name, Role, Prefix, Hash, Ticks.ToTime(CreatedAt), Ticks.ToTime(ExpiresAt), Ticks.ToTime(LastUsedAt), Ticks.ToTime(RevokedAt));
}

internal sealed class IngestKeyDocument : SecretDocument
{
    [BsonElement("source")]
    public string Source { get; set; } = "";

    [BsonElement("createdBy")]
    public string CreatedBy { get; set; } = "";

    public static IngestKeyDocument From(IngestKey k) => new()
    {
        Id = k.Id,
        Name = k.Name,
        Source = k.Source,
        Prefix = k.Prefix,
        Hash = k.Hash,
        CreatedAt = k.CreatedAt.UtcTicks,
        CreatedBy = k.CreatedBy,
        LastUsedAt = k.LastUsedAt?.UtcTicks,
        RevokedAt = k.RevokedAt?.UtcTicks,
    };

    public IngestKey ToKey() => new(Id, Name, Source, Prefix, Hash, Ticks.ToTime(CreatedAt), CreatedBy, Ticks.ToTime(LastUsedAt), Ticks.ToTime(RevokedAt));
}

internal sealed class AuditDocument
{
    [BsonId]
    public long Id { get; set; }

    [BsonElement("at")]
    public long At { get; set; }

    [BsonElement("actor")]
    public string? Actor { get; set; }

    /// <summary>The actor folded to lower case, for filtering in any case.</summary>
    [BsonElement("actorKey")]
    public string? ActorKey { get; set; }

    [BsonElement("action")]
    public string Action { get; set; } = "";

    [BsonElement("target")]
    public string? Target { get; set; }

    [BsonElement("address")]
    public string? Address { get; set; }

    [BsonElement("success")]
    public bool Success { get; set; }

    [BsonElement("detail")]
    public string? Detail { get; set; }

    public static AuditDocument From(AuditEntry e, long id) => new()
    {
        Id = id,
        At = e.At.UtcTicks,
        Actor = e.Actor,
        ActorKey = e.Actor is null ? null : IdentityCommands.Fold(e.Actor),
        Action = e.Action,
        Target = e.Target,
        Address = e.Address,
        Success = e.Success,
        Detail = e.Detail,
    };

    public AuditEntry ToEntry() => new(Id, Ticks.ToTime(At), Actor, Action, Target, Address, Success, Detail);
}

/// <summary>The filters, updates and indexes of the identity collections, built in one place so tests can render them.</summary>
internal static class IdentityCommands
{
    public const string Users = "users";
    public const string Sessions = "sessions";
    public const string Tokens = "api_tokens";
    public const string IngestKeys = "ingest_keys";
    public const string Audit = "audit";
    public const string AuditSequence = "audit";

    /// <summary>How names and actors compare: case-insensitively.</summary>
    public static string Fold(string name) => name.ToLowerInvariant();

    public static FilterDefinition<UserDocument> UserNamed(string name) => Builders<UserDocument>.Filter.Eq(d => d.NameKey, Fold(name));

    /// <summary>Moves the last-seen time forward only.</summary>
    public static UpdateDefinition<SessionDocument> Touch(DateTimeOffset seenAt) => Builders<SessionDocument>.Update.Max(d => d.LastSeenAt, seenAt.UtcTicks);

    public static FilterDefinition<SessionDocument> Expired(DateTimeOffset now, DateTimeOffset idleSince) =>
        Builders<SessionDocument>.Filter.Lte(d => d.ExpiresAt, now.UtcTicks) | Builders<SessionDocument>.Filter.Lt(d => d.LastSeenAt, idleSince.UtcTicks);

    /// <summary>The token or key, unless it is revoked already.</summary>
    public static FilterDefinition<T> Unrevoked<T>(string id)
        where T : SecretDocument =>
        Builders<T>.Filter.Eq(d => d.Id, id) & Builders<T>.Filter.Eq(d => d.RevokedAt, null);

    public static UpdateDefinition<T> Revoke<T>(DateTimeOffset at)
        where T : SecretDocument =>
        Builders<T>.Update.Set(d => d.RevokedAt, at.UtcTicks);

    public static UpdateDefinition<T> Use<T>(DateTimeOffset at)
        where T : SecretDocument =>
        Builders<T>.Update.Set(d => d.LastUsedAt, at.UtcTicks);

    public static SortDefinition<T> NewestFirst<T>()
        where T : SecretDocument =>
        Builders<T>.Sort.Descending(d => d.CreatedAt).Ascending(d => d.Id);

    public static FilterDefinition<AuditDocument> AuditMatching(AuditQuery query)
    {
        var f = Builders<AuditDocument>.Filter;
        var filter = f.Empty;
        if (query.Actor is { } actor)
        {
            filter &= f.Eq(d => d.ActorKey, Fold(actor));
        }

        if (query.Action is { } action)
        {
            filter &= f.Eq(d => d.Action, action);
        }

        if (query.From is { } from)
        {
            filter &= f.Gte(d => d.At, from.UtcTicks);
        }

        if (query.To is { } to)
        {
            filter &= f.Lt(d => d.At, to.UtcTicks);
        }

        if (query.Before is { } before)
        {
            filter &= f.Lt(d => d.Id, before);
        }

        return filter;
    }

    public static CreateIndexModel<UserDocument> UniqueName { get; } = new(
        Builders<UserDocument>.IndexKeys.Ascending(d => d.NameKey), new CreateIndexOptions { Name = "unique_name", Unique = true });

    /// <summary>Unique among users that have one.</summary>
    public static CreateIndexModel<UserDocument> UniqueExternalSubject { get; } = new(
        Builders<UserDocument>.IndexKeys.Ascending(d => d.ExternalSubject),
        new CreateIndexOptions<UserDocument>
        {
            Name = "unique_external_subject",
            Unique = true,
            PartialFilterExpression = Builders<UserDocument>.Filter.Type(d => d.ExternalSubject, BsonType.String),
        });

    public static CreateIndexModel<SessionDocument> SessionsByUser { get; } = new(
        Builders<SessionDocument>.IndexKeys.Ascending(d => d.UserId), new CreateIndexOptions { Name = "by_user" });

    public static CreateIndexModel<T> UniqueHash<T>()
        where T : SecretDocument =>
        new(Builders<T>.IndexKeys.Ascending(d => d.Hash), new CreateIndexOptions { Name = "unique_hash", Unique = true });

    public static CreateIndexModel<TokenDocument> TokensByUser { get; } = new(
        Builders<TokenDocument>.IndexKeys.Ascending(d => d.UserId).Descending(d => d.CreatedAt), new CreateIndexOptions { Name = "by_user" });

    public static CreateIndexModel<AuditDocument> AuditByTime { get; } = new(
        Builders<AuditDocument>.IndexKeys.Ascending(d => d.At), new CreateIndexOptions { Name = "by_time" });

    public static CreateIndexModel<AuditDocument> AuditByActor { get; } = new(
        Builders<AuditDocument>.IndexKeys.Ascending(d => d.ActorKey).Descending(d => d.Id), new CreateIndexOptions { Name = "by_actor" });
}
