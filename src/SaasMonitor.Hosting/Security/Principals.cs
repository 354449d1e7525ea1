using System.Security.Claims;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>The claims SaasMonitor's principals carry: who, which kind of credential, and the roles it grants.</summary>
public static class Principals
{
    /// <summary>The authentication scheme of people's browsers.</summary>
    public const string CookieScheme = "Cookies";

    /// <summary>Personal API tokens (Authorization: Bearer smt_...).</summary>
    public const string TokenScheme = "ApiToken";

    /// <summary>Ingest keys (X-Api-Key, X-Seq-ApiKey, ?apiKey=).</summary>
    public const string IngestKeyScheme = "IngestKey";

    /// <summary>OpenID Connect sign-in, when configured.</summary>
    public const string OidcScheme = "oidc";

    /// <summary>The sign-in page, where browsers without a session are sent.</summary>
    public const string SignInPath = "/login";

    internal const string DefaultScheme = "SaasMonitor";
    internal const string KindClaim = "saasmon:kind";
    internal const string UserIdClaim = "saasmon:user_id";
    internal const string SessionClaim = "saasmon:session";
    internal const string CredentialIdClaim = "saasmon:credential_id";

    internal const string UserKind = "user";
    internal const string TokenKind = "token";
    internal const string IngestKeyKind = "ingest_key";

    private const string RefusalItem = "saasmon:credential_refused";

    /// <summary>Why the credential the request carried was refused, or null when it carried none or a good one.</summary>
    public static string? RefusedCredential(this Microsoft.AspNetCore.Http.HttpContext http) => http.Items[RefusalItem] as string;

    /// <summary>Refuses the request's credential, remembering why: a refused caller is never treated as anonymous.</summary>
    internal static Microsoft.AspNetCore.Authentication.AuthenticateResult Refuse(Microsoft.AspNetCore.Http.HttpContext http, string reason)
    {
        http.Items[RefusalItem] = reason;
        return Microsoft.AspNetCore.Authentication.AuthenticateResult.Fail(reason);
    }

    /// <summary>The role names as claims and policies spell them.</summary>
    public static string Name(this Core.Identity.Role role) => role switch
    {
        Core.Identity.Role.Admin => Policies.Admin,
        Core.Identity.Role.Editor => Policies.Editor,
        _ => Policies.Viewer,
    };

    /// <summary>Parses a role name (viewer, editor, admin; any case); null when it names none.</summary>
    public static Core.Identity.Role? ParseRole(string? name) => name?.ToLowerInvariant() switch
    {
        Policies.Viewer => Core.Identity.Role.Viewer,
        Policies.Editor => Core.Identity.Role.Editor,
        Policies.Admin => Core.Identity.Role.Admin,
        _ => null,
    };

    /// <summary>The signed-in user's id, or null for ingest keys and anonymous callers.</summary>
    public static string? UserId(this ClaimsPrincipal principal) => principal.FindFirst(UserIdClaim)?.Value;

    /// <summary>The highest role the principal holds, or null when it holds none.</summary>
    public static Core.Identity.Role? Role(this ClaimsPrincipal principal) =>
        principal.IsInRole(Policies.Admin) ? Core.Identity.Role.Admin
        : principal.IsInRole(Policies.Editor) ? Core.Identity.Role.Editor
        : principal.IsInRole(Policies.Viewer) ? Core.Identity.Role.Viewer
        : null;

    /// <summary>True when the request was authenticated by the browser's session cookie.</summary>
    public static bool IsCookieSession(this ClaimsPrincipal principal) => principal.HasClaim(KindClaim, UserKind) && principal.FindFirst(SessionClaim) is not null;

    internal static ClaimsPrincipal ForUser(User user, Core.Identity.Role role, string scheme, string kind, params Claim[] extra)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.Name, user.Name),
            new(UserIdClaim, user.Id),
            new(KindClaim, kind),
            .. extra,
        ];
        for (var r = Core.Identity.Role.Viewer; r <= role; r++)
        {
            claims.Add(new(ClaimTypes.Role, r.Name()));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    internal static ClaimsPrincipal ForIngestKey(IngestKey key)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.Name, "ingest key " + key.Name),
            new(KindClaim, IngestKeyKind),
            new(CredentialIdClaim, key.Id),
            new(IngestIdentity.SourceClaim, key.Source),
        ];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, IngestKeyScheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}
