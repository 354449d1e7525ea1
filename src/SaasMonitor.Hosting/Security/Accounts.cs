using System.Text.RegularExpressions;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>Who acts on an account (for the audit log): a principal's name, or an operator at the console, and from where.</summary>
public sealed record Actor(string? Name, string? Address);

/// <summary>A request about accounts that cannot be done; the message is the reason shown to the user.</summary>
public sealed class AccountException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Users, API tokens and ingest keys: creating, changing and revoking them, with the rules (password strength, role
/// ceilings), the session revocations they imply, and an audit entry for each. Used by the REST API, the web UI and
/// the operator commands alike.
/// </summary>
public sealed partial class Accounts(IIdentityStore store, Passwords passwords, AuditLog audit, TimeProvider time)
{
    public async Task<User> CreateUserAsync(string name, Role role, string? password, Actor actor, CancellationToken ct, string? externalSubject = null)
    {
        name = name?.Trim() ?? string.Empty;
        if (!UserName().IsMatch(name))
        {
            throw new AccountException("A user name has 1 to 64 letters, digits, '.', '_', '-' or '@'.");
        }

        if (password is not null && Passwords.Weakness(password, name) is { } weakness)
        {
            throw new AccountException(weakness);
        }

        var user = new User(NewId(), name, role, password is null ? null : passwords.Hash(password), false, time.GetUtcNow(), externalSubject);
        if (!await store.CreateUserAsync(user, ct).ConfigureAwait(false))
        {
            throw new AccountException($"A user named '{name}' exists already.", 409);
        }

        await Audit(actor, AuditActions.UserCreated, name, $"role {role.Name()}", ct).ConfigureAwait(false);
        return user;
    }

    public async Task<User> GetUserAsync(string idOrName, CancellationToken ct) =>
        await store.GetUserAsync(idOrName, ct).ConfigureAwait(false)
        ?? await store.FindUserByNameAsync(idOrName, ct).ConfigureAwait(false)
        ?? throw new AccountException($"There is no user '{idOrName}'.", 404);

    /// <summary>Changes role and/or disabled state; either ends the user's sessions at once.</summary>
    public async Task<User> ChangeUserAsync(string idOrName, Role? role, bool? disabled, Actor actor, CancellationToken ct)
    {
        var user = await GetUserAsync(idOrName, ct).ConfigureAwait(false);
        var changed = user with { Role = role ?? user.Role, Disabled = disabled ?? user.Disabled };
        if (changed == user)
        {
            return user;
        }

        if (user.Role == Role.Admin && (changed.Role != Role.Admin || changed.Disabled) && await IsLastAdminAsync(user, ct).ConfigureAwait(false))
        {
            throw new AccountException("This is the only active admin; make another user admin first.", 409);
        }

        if (changed.Disabled != user.Disabled)
        {
            // Re-enabling also lifts a lockout.
            changed = changed with { FailedSignIns = 0, LockedUntil = null };
        }

        await store.UpdateUserAsync(changed, ct).ConfigureAwait(false);
        await store.DeleteSessionsOfUserAsync(user.Id, ct).ConfigureAwait(false);
        if (changed.Role != user.Role)
        {
            await Audit(actor, AuditActions.RoleChanged, user.Name, $"{user.Role.Name()} → {changed.Role.Name()}", ct).ConfigureAwait(false);
        }

        if (changed.Disabled != user.Disabled)
        {
            await Audit(actor, changed.Disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, user.Name, null, ct).ConfigureAwait(false);
        }

        return changed;
    }

    /// <summary>Sets a new password (checked against the rules) and ends the user's sessions.</summary>
    public async Task SetPasswordAsync(string idOrName, string password, Actor actor, CancellationToken ct)
    {
        var user = await GetUserAsync(idOrName, ct).ConfigureAwait(false);
        if (Passwords.Weakness(password, user.Name) is { } weakness)
        {
            throw new AccountException(weakness);
        }

        await store.UpdateUserAsync(user with { PasswordHash = passwords.Hash(password), FailedSignIns = 0, LockedUntil = null }, ct).ConfigureAwait(false);
        await store.DeleteSessionsOfUserAsync(user.Id, ct).ConfigureAwait(false);
        await Audit(actor, AuditActions.PasswordChanged, user.Name, null, ct).ConfigureAwait(false);
    }

    public async Task DeleteUserAsync(string idOrName, Actor actor, CancellationToken ct)
    {
        var user = await GetUserAsync(idOrName, ct).ConfigureAwait(false);
        if (user.Role == Role.Admin && await IsLastAdminAsync(user, ct).ConfigureAwait(false))
        {
            throw new AccountException("This is the only active admin; make another user admin first.", 409);
        }

        await store.DeleteUserAsync(user.Id, ct).ConfigureAwait(false);
        await Audit(actor, AuditActions.UserDeleted, user.Name, null, ct).ConfigureAwait(false);
    }

    /// <summary>Issues an API token for <paramref name="user"/> acting as <paramref name="role"/> (at most the user's role); the secret is returned once.</summary>
    public async Task<(ApiToken Token, string Secret)> IssueTokenAsync(User user, string name, Role? role, TimeSpan? lifetime, Actor actor, CancellationToken ct)
    {
        var acting = role ?? user.Role;
        if (acting > user.Role)
        {
            throw new AccountException($"A token cannot have a higher role than its owner: {user.Name} is {user.Role.Name()}.", 403);
        }

        if (lifetime is { } l && l <= TimeSpan.Zero)
        {
            throw new AccountException("A token's lifetime must be positive (for example 30d or 12h).");
        }

        var secret = Secrets.New(Secrets.TokenPrefix);
        var now = time.GetUtcNow();
        var token = new ApiToken(NewId(), user.Id, string.IsNullOrWhiteSpace(name) ? "token" : name.Trim(), acting, Secrets.Visible(secret), Secrets.Hash(secret), now, now + lifetime);
        await store.CreateTokenAsync(token, ct).ConfigureAwait(false);
        await Audit(actor, AuditActions.TokenIssued, $"{user.Name}/{token.Name} ({token.Prefix})", $"role {acting.Name()}, expires {token.ExpiresAt?.ToString("O") ?? "never"}", ct).ConfigureAwait(false);
        return (token, secret);
    }

    public async Task<bool> RevokeTokenAsync(ApiToken token, Actor actor, CancellationToken ct)
    {
        var revoked = await store.RevokeTokenAsync(token.Id, time.GetUtcNow(), ct).ConfigureAwait(false);
        if (revoked)
        {
            await Audit(actor, AuditActions.TokenRevoked, $"{token.Name} ({token.Prefix})", null, ct).ConfigureAwait(false);
        }

        return revoked;
    }

    /// <summary>Issues an ingest key that stamps <paramref name="source"/> on what is sent with it; the secret is returned once.</summary>
    public async Task<(IngestKey Key, string Secret)> IssueIngestKeyAsync(string name, string source, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(source) || source.Length > 128)
        {
            throw new AccountException("An ingest key needs the source it stamps on its logs (1 to 128 characters).");
        }

        var secret = Secrets.New(Secrets.IngestKeyPrefix);
        var key = new IngestKey(NewId(), string.IsNullOrWhiteSpace(name) ? source.Trim() : name.Trim(), source.Trim(), Secrets.Visible(secret), Secrets.Hash(secret), time.GetUtcNow(), actor.Name ?? "operator");
        await store.CreateIngestKeyAsync(key, ct).ConfigureAwait(false);
        await Audit(actor, AuditActions.IngestKeyIssued, $"{key.Name} ({key.Prefix})", $"source {key.Source}", ct).ConfigureAwait(false);
        return (key, secret);
    }

    public async Task<bool> RevokeIngestKeyAsync(string id, Actor actor, CancellationToken ct)
    {
        var revoked = await store.RevokeIngestKeyAsync(id, time.GetUtcNow(), ct).ConfigureAwait(false);
        if (revoked)
        {
            await Audit(actor, AuditActions.IngestKeyRevoked, id, null, ct).ConfigureAwait(false);
        }

        return revoked;
    }

    /// <summary>The caller of <paramref name="http"/> as the audit log names them.</summary>
    public static Actor ActorOf(Microsoft.AspNetCore.Http.HttpContext http) => new(AuditLog.Actor(http.User), http.Connection.RemoteIpAddress?.ToString());

    internal static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<bool> IsLastAdminAsync(User user, CancellationToken ct) =>
        !(await store.ListUsersAsync(ct).ConfigureAwait(false)).Any(u => u.Id != user.Id && u.Role == Role.Admin && !u.Disabled);

    private Task Audit(Actor actor, string action, string? target, string? detail, CancellationToken ct) =>
        audit.RecordAsync(actor.Name, actor.Address, action, target, success: true, detail, ct);

    [GeneratedRegex(@"^[\p{L}\p{N}._@-]{1,64}$")]
    private static partial Regex UserName();
}
