using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Optional sign-in through an OpenID Connect provider (authorization code with PKCE). On return the provider's
/// claims are mapped to a role (<see cref="OidcOptions"/>), the user is created on first sign-in or updated, and an
/// ordinary server-side session starts, so such users are revoked and audited like everyone else.
/// </summary>
internal static class OpenIdConnectSignIn
{
    public static void Add(AuthenticationBuilder auth, IConfiguration configuration)
    {
        var oidc = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.Oidc ?? new OidcOptions();
        if (!oidc.Enabled)
        {
            return;
        }

        auth.AddOpenIdConnect(Principals.OidcScheme, oidc.DisplayName, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.ResponseType = "code";
            o.ResponseMode = "query";
            o.UsePkce = true;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            o.Scope.Add("email");
            o.CallbackPath = "/signin-oidc";
            o.SignInScheme = Principals.CookieScheme;
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = false;

            // The provider redirects back with a top-level GET, which Lax cookies accompany, also over plain HTTP.
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnTicketReceived = SignInAsync;
        });
    }

    /// <summary>The role <paramref name="principal"/>'s claims map to, or the configured default (null: no access).</summary>
    internal static Role? MapRole(ClaimsPrincipal principal, OidcOptions oidc)
    {
        var values = principal.FindAll(oidc.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return oidc.AdminValues.Any(values.Contains) ? Role.Admin
            : oidc.EditorValues.Any(values.Contains) ? Role.Editor
            : oidc.ViewerValues.Any(values.Contains) ? Role.Viewer
            : oidc.DefaultRole;
    }

    private static async Task SignInAsync(TicketReceivedContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        var services = http.RequestServices;
        var oidc = services.GetRequiredService<IOptions<AuthOptions>>().Value.Oidc;
        var principal = context.Principal!;
        var issuer = principal.FindFirst("iss")?.Value ?? oidc.Authority;
        var subject = $"{issuer}|{principal.FindFirst("sub")?.Value}";
        var name = principal.FindFirst("preferred_username")?.Value ?? principal.FindFirst("email")?.Value ?? principal.FindFirst("sub")?.Value ?? "user";
        var role = MapRole(principal, oidc);
        var store = services.GetRequiredService<IIdentityStore>();
        var audit = services.GetRequiredService<AuditLog>();
        if (role is null)
        {
            await audit.RecordAsync(http, AuditActions.SignInFailed, name, success: false, detail: "single sign-on: no role maps to the user's claims", actor: name).ConfigureAwait(false);
            http.Response.Redirect(Principals.SignInPath + "?error=no_role");
            return;
        }

        var actor = new Actor("single sign-on", http.Connection.RemoteIpAddress?.ToString());
        var accounts = services.GetRequiredService<Accounts>();
        var user = await store.FindUserByExternalSubjectAsync(subject, http.RequestAborted).ConfigureAwait(false)
            ?? await accounts.CreateUserAsync(name, role.Value, password: null, actor, http.RequestAborted, externalSubject: subject).ConfigureAwait(false);
        if (user.Disabled)
        {
            await audit.RecordAsync(http, AuditActions.SignInFailed, user.Name, success: false, detail: "single sign-on: user disabled", actor: user.Name).ConfigureAwait(false);
            http.Response.Redirect(Principals.SignInPath + "?error=disabled");
            return;
        }

        if (user.Role != role)
        {
            user = await accounts.ChangeUserAsync(user.Id, role, null, actor, http.RequestAborted).ConfigureAwait(false);
        }

        await services.GetRequiredService<Sessions>().StartAsync(http, user with { LastSignInAt = DateTimeOffset.UtcNow }, "single sign-on").ConfigureAwait(false);
        var returnUrl = context.ReturnUri is { Length: > 0 } r && r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal) ? r : "/";
        http.Response.Redirect(returnUrl);
    }
}
