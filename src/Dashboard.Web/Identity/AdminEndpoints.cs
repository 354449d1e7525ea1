using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web.Identity;

/// <summary>Users (admin), personal API tokens (one's own; an admin sees all), ingest keys (admin) and the audit log (admin).</summary>
internal static class AdminEndpoints
{
    public static void MapAccountAdministration(this WebApplication app)
    {
        var users = app.MapGroup("/api").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/users", async (IIdentityStore store, CancellationToken ct) => Results.Ok((await store.ListUsersAsync(ct)).Select(UserView.Of)))
            .WithName("ListUsers").WithSummary("Every user, by name.");
        users.MapPost("/users", async (HttpContext http, NewUser body, Accounts accounts) =>
            {
                var user = await accounts.CreateUserAsync(body.Name ?? string.Empty, RoleOf(body.Role) ?? Role.Viewer, body.Password ?? string.Empty, Accounts.ActorOf(http), http.RequestAborted);
                return Results.Created($"/api/users/{user.Id}", UserView.Of(user));
            })
            .WithName("CreateUser").WithSummary("Create a user (name, role: viewer|editor|admin, password of 12 or more characters).")
            .Produces<UserView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        users.MapGet("/users/{id}", async (string id, Accounts accounts, CancellationToken ct) => Results.Ok(UserView.Of(await accounts.GetUserAsync(id, ct))))
            .WithName("GetUser").WithSummary("One user, by id or name.").Produces<UserView>().ProducesProblem(StatusCodes.Status404NotFound);
        users.MapPatch("/users/{id}", async (string id, UserChange body, HttpContext http, Accounts accounts) =>
            {
                var actor = Accounts.ActorOf(http);
                if (body.Password is { } password)
                {
                    await accounts.SetPasswordAsync(id, password, actor, http.RequestAborted);
                }

                return Results.Ok(UserView.Of(await accounts.ChangeUserAsync(id, RoleOf(body.Role), body.Disabled, actor, http.RequestAborted)));
            })
            .WithName("ChangeUser").WithSummary("Change a user's role, disable or enable them, or set their password; each ends their sessions at once.")
            .Produces<UserView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/users/{id}", async (string id, HttpContext http, Accounts accounts) =>
            {
                await accounts.DeleteUserAsync(id, Accounts.ActorOf(http), http.RequestAborted);
                return Results.NoContent();
            })
            .WithName("DeleteUser").WithSummary("Delete a user with their sessions and tokens.").ProducesProblem(StatusCodes.Status404NotFound);

        var tokens = app.MapGroup("/api").WithTags("API tokens").RequireAuthorization(Policies.Viewer);
        tokens.MapGet("/tokens", async (HttpContext http, IIdentityStore store, CancellationToken ct) =>
                Results.Ok((await store.ListTokensAsync(http.User.IsInRole(Policies.Admin) ? null : http.User.UserId(), ct)).Select(TokenView.Of)))
            .WithName("ListTokens").WithSummary("Your API tokens (an admin sees everyone's); secrets are never shown again.");
        tokens.MapPost("/tokens", IssueTokenAsync)
            .WithName("CreateToken").WithSummary("Create an API token for yourself (name, role no higher than yours, expires_in_days); the secret is in this answer only.")
            .Produces<IssuedSecret<TokenView>>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        tokens.MapDelete("/tokens/{id}", async (string id, HttpContext http, IIdentityStore store, Accounts accounts) =>
            {
                var token = await store.GetTokenAsync(id, http.RequestAborted);
                if (token is null || (token.UserId != http.User.UserId() && !http.User.IsInRole(Policies.Admin)))
                {
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"You have no token '{id}'.");
                }

                await accounts.RevokeTokenAsync(token, Accounts.ActorOf(http), http.RequestAborted);
                return Results.NoContent();
            })
            .WithName("RevokeToken").WithSummary("Revoke an API token (yours; an admin may revoke anyone's).").ProducesProblem(StatusCodes.Status404NotFound);

        var keys = app.MapGroup("/api").WithTags("Ingest keys").RequireAuthorization(Policies.Admin);
        keys.MapGet("/ingest-keys", async (IIdentityStore store, CancellationToken ct) => Results.Ok((await store.ListIngestKeysAsync(ct)).Select(IngestKeyView.Of)))
            .WithName("ListIngestKeys").WithSummary("Ingest keys, newest first; secrets are never shown again.");
        keys.MapPost("/ingest-keys", async (NewIngestKey body, HttpContext http, Accounts accounts) =>
            {
                var (key, secret) = await accounts.IssueIngestKeyAsync(body.Name ?? string.Empty, body.Source ?? string.Empty, Accounts.ActorOf(http), http.RequestAborted);
                return Results.Created($"/api/ingest-keys/{key.Id}", new IssuedSecret<IngestKeyView>(IngestKeyView.Of(key), secret));
            })
            .WithName("CreateIngestKey").WithSummary("Create an ingest key (name, source it stamps on its logs); the secret is in this answer only.")
            .Produces<IssuedSecret<IngestKeyView>>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        keys.MapDelete("/ingest-keys/{id}", async (string id, HttpContext http, Accounts accounts) =>
                await accounts.RevokeIngestKeyAsync(id, Accounts.ActorOf(http), http.RequestAborted)
                    ? Results.NoContent()
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No active ingest key '{id}'."))
            .WithName("RevokeIngestKey").WithSummary("Revoke an ingest key: shippers using it get 401 from now on.");

        app.MapGet("/api/audit", ListAuditAsync).WithTags("Audit").RequireAuthorization(Policies.Admin)
            .WithName("Audit").WithSummary("The audit log, newest first: user (actor), action, from, to, before (id, for the next page), limit (≤ 1000).")
            .Produces<AuditPage>();
    }

    private static async Task<IResult> IssueTokenAsync(HttpContext http, NewToken body, IIdentityStore store, Accounts accounts)
    {
        var owner = await accounts.GetUserAsync(http.User.UserId()!, http.RequestAborted);
        var role = RoleOf(body.Role);

        // A token acts at most with the role of the credential that made it.
        if (role > http.User.Role())
        {
            throw new AccountException($"A token cannot have a higher role than its owner: you act as {http.User.Role()!.Value.Name()}.", StatusCodes.Status403Forbidden);
        }

        var lifetime = body.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
        var (token, secret) = await accounts.IssueTokenAsync(owner, body.Name ?? "token", role ?? http.User.Role(), lifetime, Accounts.ActorOf(http), http.RequestAborted);
        return Results.Created($"/api/tokens/{token.Id}", new IssuedSecret<TokenView>(TokenView.Of(token), secret));
    }

    private static async Task<IResult> ListAuditAsync(
        IIdentityStore store,
        [FromQuery] string? user,
        [FromQuery] string? action,
        [FromQuery] string? from,
        [FromQuery] string? to,
        [FromQuery] long? before,
        [FromQuery] int? limit,
        CancellationToken ct)
    {
        var take = Math.Clamp(limit ?? 100, 1, 1000);
        var entries = await store.ListAuditAsync(new AuditQuery(user, action, Time(from, "from"), Time(to, "to"), before, take), ct);
        return Results.Ok(new AuditPage(entries, entries.Count == take ? entries[^1].Id : null));
    }

    private static DateTimeOffset? Time(string? value, string name) =>
        value is null ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new AccountException($"'{name}' must be an ISO-8601 time, such as 2026-12-01T10:00:00Z.");

    private static Role? RoleOf(string? name) =>
        name is null ? null : Principals.ParseRole(name) ?? throw new AccountException($"Unknown role '{name}': viewer, editor or admin.");
}

public sealed record NewUser(string? Name, string? Role, string? Password);

public sealed record UserChange(string? Role, bool? Disabled, string? Password);

public sealed record NewToken(string? Name, string? Role, int? ExpiresInDays);

public sealed record NewIngestKey(string? Name, string? Source);

/// <summary>A token or key just issued: <see cref="Secret"/> is shown this once and never stored.</summary>
public sealed record IssuedSecret<T>(T Item, string Secret);

public sealed record UserView(string Id, string Name, string Role, bool Disabled, bool SingleSignOn, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt, DateTimeOffset? LockedUntil)
{
    public static UserView Of(User u) => new(u.Id, u.Name, u.Role.Name(), u.Disabled, u.ExternalSubject is not null, u.CreatedAt, u.LastSignInAt, u.LockedUntil);
}

public sealed record TokenView(string Id, string UserId, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static TokenView Of(ApiToken t) => new(t.Id, t.UserId, t.Name, t.Role.Name(), t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);
}

public sealed record IngestKeyView(string Id, string Name, string Source, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static IngestKeyView Of(IngestKey k) => new(k.Id, k.Name, k.Source, k.Prefix, k.CreatedAt, k.CreatedBy, k.LastUsedAt, k.RevokedAt);
}

/// <summary>A page of the audit log; <see cref="NextBefore"/> fetches the next (older) page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore);
