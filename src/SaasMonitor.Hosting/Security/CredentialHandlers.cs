using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>Personal API tokens: <c>Authorization: Bearer smt_...</c>, acting with the token's role, never above the owner's current one.</summary>
internal sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IIdentityStore store,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>How often a token's or key's last-used time is written while it is used.</summary>
    internal static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerOf(Request.Headers.Authorization.ToString()) is not { } secret || !secret.StartsWith(Secrets.TokenPrefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var ct = Context.RequestAborted;
        var token = await store.FindTokenByHashAsync(Secrets.Hash(secret), ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            return Principals.Refuse(Context, "The API token is unknown, revoked or expired.");
        }

        var owner = await store.GetUserAsync(token.UserId, ct).ConfigureAwait(false);
        if (owner is null || owner.Disabled)
        {
            return Principals.Refuse(Context, "The API token's owner is disabled or deleted.");
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt >= TouchInterval)
        {
            await store.TouchTokenAsync(token.Id, now, ct).ConfigureAwait(false);
        }

        var role = token.Role < owner.Role ? token.Role : owner.Role;
        var principal = Principals.ForUser(owner, role, Scheme.Name, Principals.TokenKind, new System.Security.Claims.Claim(Principals.CredentialIdClaim, token.Id));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    internal static string? BearerOf(string authorization) =>
        authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
}

/// <summary>
/// Ingest keys, as shippers send them: <c>X-Api-Key</c>, Seq's <c>X-Seq-ApiKey</c>, <c>?apiKey=</c>, or as Elasticsearch
/// clients send theirs: <c>Authorization: ApiKey</c> with the key (or Base64 of <c>id:key</c>), or Basic with the key as the password.
/// </summary>
internal sealed class IngestKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IIdentityStore store,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    internal static readonly string[] Headers = ["X-Api-Key", "X-Seq-ApiKey"];
    internal const string QueryName = "apiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (KeyOf(Request) is not { } secret)
        {
            return AuthenticateResult.NoResult();
        }

        var ct = Context.RequestAborted;
        var key = await store.FindIngestKeyByHashAsync(Secrets.Hash(secret), ct).ConfigureAwait(false);
        if (key is null || key.RevokedAt is not null)
        {
            return Principals.Refuse(Context, "The ingest key is unknown or revoked.");
        }

        var now = time.GetUtcNow();
        if (key.LastUsedAt is null || now - key.LastUsedAt >= ApiTokenHandler.TouchInterval)
        {
            await store.TouchIngestKeyAsync(key.Id, now, ct).ConfigureAwait(false);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(Principals.ForIngestKey(key), Scheme.Name));
    }

    internal static string? KeyOf(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        foreach (var header in Headers)
        {
            if (request.Headers[header].ToString() is { Length: > 0 } value)
            {
                return value.Trim();
            }
        }

        if (request.Query[QueryName].ToString() is { Length: > 0 } query)
        {
            return query;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase) ? ElasticsearchKey(authorization["ApiKey ".Length..].Trim())
            : authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? ElasticsearchKey(authorization["Basic ".Length..].Trim())
            : null;
    }

    /// <summary>An ingest key sent as it is, or inside Base64 of <c>id:key</c> (<c>user:key</c> for Basic); null when neither holds one.</summary>
    private static string? ElasticsearchKey(string credential)
    {
        if (credential.StartsWith(Secrets.IngestKeyPrefix, StringComparison.Ordinal))
        {
            return credential;
        }

        Span<byte> decoded = stackalloc byte[256];
        if (!Convert.TryFromBase64String(credential, decoded, out var length))
        {
            return null;
        }

        var text = System.Text.Encoding.UTF8.GetString(decoded[..length]);
        var key = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return key.StartsWith(Secrets.IngestKeyPrefix, StringComparison.Ordinal) ? key : null;
    }
}
