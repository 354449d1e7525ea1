using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web.Identity;

/// <summary>Sign-in, sign-out, the current user, one's own password, and the first-run setup of the first admin.</summary>
internal static class SignInEndpoints
{
    private const string WrongCredentials = "The user name or password is wrong, or the account is locked for a while after repeated failures.";

    public static void MapSignIn(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Sign-in");
        api.MapPost("/login", LoginAsync).WithName("Login")
            .WithSummary("Sign in with a user name and password; sets the session cookie and returns the user with the csrf_token for later unsafe requests.")
            .Produces<CurrentUser>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AllowAnonymous().RequireRateLimiting(SecurityExtensions.SignInRateLimit).DisableAntiforgery();
        api.MapPost("/logout", async (HttpContext http, Sessions sessions) =>
            {
                await sessions.EndAsync(http);
                return Results.NoContent();
            })
            .WithName("Logout").WithSummary("Sign out: ends the session at once.")
            .RequireAuthorization(Policies.Viewer);
        api.MapGet("/user/current", (HttpContext http, IAntiforgery antiforgery) => Results.Ok(Current(http, antiforgery)))
            .WithName("CurrentUser").WithSummary("The signed-in user, their role, how they signed in, and the csrf_token to send as X-CSRF-Token.")
            .Produces<CurrentUser>().RequireAuthorization(Policies.Viewer);
        api.MapPost("/user/password", ChangePasswordAsync).WithName("ChangePassword")
            .WithSummary("Change one's own password (current_password, new_password); ends every session of the user, this one included.")
            .ProducesProblem(StatusCodes.Status400BadRequest).RequireAuthorization(Policies.Viewer);
        api.MapGet("/setup", async (IIdentityStore store, CancellationToken ct) => Results.Ok(new { needed = await store.CountUsersAsync(ct) == 0 }))
            .WithName("SetupStatus").WithSummary("Whether the first admin still has to be created.").AllowAnonymous();
        api.MapPost("/setup", SetupAsync).WithName("Setup")
            .WithSummary("Create the first admin with the one-time token printed at start (token, username, password); signs them in.")
            .Produces<CurrentUser>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .AllowAnonymous().RequireRateLimiting(SecurityExtensions.SignInRateLimit).DisableAntiforgery();
        app.MapGet("/login/oidc", (string? returnUrl, IOptions<AuthOptions> options) => options.Value.Oidc.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl(returnUrl) }, [Principals.OidcScheme])
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not configured", detail: "Single sign-on is not configured (SaasMonitor:Auth:Oidc:Authority)."))
            .WithName("LoginOidc").WithSummary("Sign in through the configured OpenID Connect provider.").ExcludeFromDescription().AllowAnonymous();
    }

    /// <summary><paramref name="url"/> when it is a path on this site, otherwise "/": sign-in never redirects elsewhere.</summary>
    internal static string LocalUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static async Task<IResult> LoginAsync(HttpContext http, LoginRequest body, Sessions sessions, IAntiforgery antiforgery)
    {
        var outcome = await sessions.SignInWithPasswordAsync(http, body.Username ?? string.Empty, body.Password ?? string.Empty);
        return outcome switch
        {
            SignInOutcome.SignedIn => Results.Ok(Current(http, antiforgery)),
            SignInOutcome.TooManyAttempts => Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts", detail: "Too many sign-in attempts for this account; wait a minute and try again."),
            _ => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: WrongCredentials),
        };
    }

    private static async Task<IResult> ChangePasswordAsync(HttpContext http, PasswordChange body, IIdentityStore store, Passwords passwords, Accounts accounts, AuditLog audit)
    {
        var user = http.User.UserId() is { } id ? await store.GetUserAsync(id, http.RequestAborted) : null;
        if (user is null || passwords.Verify(user.PasswordHash, body.CurrentPassword ?? string.Empty) == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed)
        {
            await audit.RecordAsync(http, AuditActions.PasswordChanged, user?.Name, success: false, detail: "current password wrong");
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Password not changed", detail: "The current password is wrong.");
        }

        await accounts.SetPasswordAsync(user.Id, body.NewPassword ?? string.Empty, Accounts.ActorOf(http), http.RequestAborted);
        await http.SignOutAsync(Principals.CookieScheme);
        return Results.NoContent();
    }

    private static async Task<IResult> SetupAsync(HttpContext http, SetupRequest body, SetupToken setup, IIdentityStore store, Accounts accounts, Sessions sessions, IAntiforgery antiforgery, AuditLog audit)
    {
        if (await store.CountUsersAsync(http.RequestAborted) > 0 || !setup.TryUse(body.Token))
        {
            await audit.RecordAsync(http, AuditActions.Setup, body.Username, success: false, detail: "setup token wrong or used", actor: body.Username);
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Setup refused", detail: "The setup link is wrong or has been used; a first admin exists or the server printed a new link at its last start.");
        }

        User user;
        try
        {
            user = await accounts.CreateUserAsync(body.Username ?? string.Empty, Role.Admin, body.Password ?? string.Empty, new Actor("setup", http.Connection.RemoteIpAddress?.ToString()), http.RequestAborted);
        }
        catch (AccountException)
        {
            setup.Restore(body.Token);
            throw;
        }

        await audit.RecordAsync(http, AuditActions.Setup, user.Name, actor: user.Name);
        await sessions.StartAsync(http, user, "setup");
        return Results.Created("/api/user/current", Current(http, antiforgery));
    }

    private static CurrentUser Current(HttpContext http, IAntiforgery antiforgery)
    {
        var user = http.User;
        var cookie = user.IsCookieSession();
        return new CurrentUser(
            user.UserId()!,
            user.Identity!.Name!,
            user.Role()!.Value.Name(),
            cookie ? "session" : "token",
            cookie ? antiforgery.GetAndStoreTokens(http).RequestToken : null);
    }
}

public sealed record LoginRequest(string? Username, string? Password);

public sealed record SetupRequest(string? Token, string? Username, string? Password);

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

/// <summary>The signed-in caller; <see cref="CsrfToken"/> (sessions only) goes in the X-CSRF-Token header of unsafe requests.</summary>
public sealed record CurrentUser(string Id, string Name, string Role, string SignedInWith, string? CsrfToken);
