using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>The outcome of a password sign-in. Unknown user and wrong password are one outcome, on purpose.</summary>
public enum SignInOutcome
{
    SignedIn,
    Failed,
    LockedOut,
    TooManyAttempts,
}

/// <summary>
/// People's sign-in: password checks with lockout and a per-account attempt limit, server-side sessions behind the
/// cookie (so sign-out, a password or role change and disabling a user end them at once), idle and absolute timeouts.
/// </summary>
public sealed class Sessions(IIdentityStore store, Passwords passwords, AuditLog audit, IOptions<AuthOptions> options, IRateLimits limits, TimeProvider time) : IDisposable
{
    /// <summary>How often a session's last-seen time is written while it is used.</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    /// <summary>Attempts per account, counted across every dashboard replica that shares the cache.</summary>
    private readonly PartitionedRateLimiter<string> _perAccount = PartitionedRateLimiter.Create<string, string>(name =>
        limits.FixedWindow("sign-in:account:" + name, options.Value.SignInsPerMinutePerAccount, TimeSpan.FromMinutes(1)));

    public async Task<SignInOutcome> SignInWithPasswordAsync(HttpContext http, string name, string password)
    {
        var ct = http.RequestAborted;
        var key = (name ?? string.Empty).Trim().ToLowerInvariant();
        using var lease = await _perAccount.AcquireAsync(key, cancellationToken: ct).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            await audit.RecordAsync(http, AuditActions.SignInFailed, key, success: false, detail: "too many attempts for this account", actor: key).ConfigureAwait(false);
            return SignInOutcome.TooManyAttempts;
        }

        var user = await store.FindUserByNameAsync(key, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();

        // The hash is checked even for an unknown user, so both answers take the same time.
        var result = passwords.Verify(user?.PasswordHash, password ?? string.Empty);
        if (user is null)
        {
            await audit.RecordAsync(http, AuditActions.SignInFailed, key, success: false, detail: "unknown user", actor: key).ConfigureAwait(false);
            return SignInOutcome.Failed;
        }

        if (user.LockedUntil > now)
        {
            await audit.RecordAsync(http, AuditActions.SignInFailed, user.Name, success: false, detail: "account locked", actor: user.Name).ConfigureAwait(false);
            return SignInOutcome.LockedOut;
        }

        if (result == PasswordVerificationResult.Failed || user.Disabled)
        {
            var failures = user.FailedSignIns + 1;
            var locks = failures >= options.Value.LockoutFailures;
            await store.UpdateUserAsync(user with { FailedSignIns = locks ? 0 : failures, LockedUntil = locks ? now + options.Value.LockoutDuration : user.LockedUntil }, ct).ConfigureAwait(false);
            await audit.RecordAsync(http, AuditActions.SignInFailed, user.Name, success: false, detail: user.Disabled ? "user disabled" : "wrong password", actor: user.Name).ConfigureAwait(false);
            if (locks)
            {
                await audit.RecordAsync(http, AuditActions.Lockout, user.Name, success: true, detail: $"{options.Value.LockoutFailures} failed sign-ins; locked until {now + options.Value.LockoutDuration:O}", actor: user.Name).ConfigureAwait(false);
            }

            return SignInOutcome.Failed;
        }

        var signedIn = user with
        {
            FailedSignIns = 0,
            LockedUntil = null,
            LastSignInAt = now,
            PasswordHash = result == PasswordVerificationResult.SuccessRehashNeeded ? passwords.Hash(password!) : user.PasswordHash,
        };
        await store.UpdateUserAsync(signedIn, ct).ConfigureAwait(false);
        await StartAsync(http, signedIn, "password").ConfigureAwait(false);
        return SignInOutcome.SignedIn;
    }

    /// <summary>Starts a new session for <paramref name="user"/> (always a new id) and sets its cookie on the response.</summary>
    public async Task<ClaimsPrincipal> StartAsync(HttpContext http, User user, string method)
    {
        // Whatever session the browser had before ends here: a sign-in never reuses a session id.
        if (http.User.FindFirst(Principals.SessionClaim)?.Value is { } previous)
        {
            await store.DeleteSessionAsync(Secrets.Hash(previous), http.RequestAborted).ConfigureAwait(false);
        }

        var secret = Secrets.New();
        var now = time.GetUtcNow();
        await store.CreateSessionAsync(new Session(Secrets.Hash(secret), user.Id, now, now, now + options.Value.AbsoluteTimeout, http.Connection.RemoteIpAddress?.ToString()), http.RequestAborted).ConfigureAwait(false);
        var principal = Principals.ForUser(user, user.Role, Principals.CookieScheme, Principals.UserKind, new Claim(Principals.SessionClaim, secret));
        await http.SignInAsync(Principals.CookieScheme, principal, new AuthenticationProperties { IsPersistent = false, IssuedUtc = now, ExpiresUtc = now + options.Value.AbsoluteTimeout }).ConfigureAwait(false);
        http.User = principal;
        await audit.RecordAsync(http, AuditActions.SignIn, user.Name, detail: method).ConfigureAwait(false);
        return principal;
    }

    /// <summary>Ends the caller's session, if it has one, and clears the cookie.</summary>
    public async Task EndAsync(HttpContext http)
    {
        if (http.User.FindFirst(Principals.SessionClaim)?.Value is { } secret)
        {
            await store.DeleteSessionAsync(Secrets.Hash(secret), http.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(http, AuditActions.SignOut, http.User.Identity?.Name).ConfigureAwait(false);
        }

        await http.SignOutAsync(Principals.CookieScheme).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the session behind a cookie on every request: it must exist, not be past its absolute or idle timeout,
    /// and belong to an enabled user, whose current role the principal then carries.
    /// </summary>
    internal async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var ct = context.HttpContext.RequestAborted;
        var secret = context.Principal?.FindFirst(Principals.SessionClaim)?.Value;
        var hash = secret is null ? null : Secrets.Hash(secret);
        var session = hash is null ? null : await store.GetSessionAsync(hash, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var user = session is null ? null : await store.GetUserAsync(session.UserId, ct).ConfigureAwait(false);
        if (session is null || user is null || user.Disabled || session.ExpiresAt <= now || session.LastSeenAt + options.Value.IdleTimeout <= now)
        {
            if (hash is not null && session is not null)
            {
                await store.DeleteSessionAsync(hash, ct).ConfigureAwait(false);
            }

            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Principals.CookieScheme).ConfigureAwait(false);
            return;
        }

        if (now - session.LastSeenAt >= TouchInterval)
        {
            await store.TouchSessionAsync(hash!, now, ct).ConfigureAwait(false);
        }

        context.ReplacePrincipal(Principals.ForUser(user, user.Role, Principals.CookieScheme, Principals.UserKind, new Claim(Principals.SessionClaim, secret!)));
    }

    /// <summary>True while the session behind <paramref name="principal"/> exists, has not timed out and its user is enabled (for long-lived connections).</summary>
    public async Task<bool> IsLiveAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.FindFirst(Principals.SessionClaim)?.Value is not { } secret
            || await store.GetSessionAsync(Secrets.Hash(secret), ct).ConfigureAwait(false) is not { } session)
        {
            return false;
        }

        var now = time.GetUtcNow();
        return session.ExpiresAt > now
            && session.LastSeenAt + options.Value.IdleTimeout > now
            && await store.GetUserAsync(session.UserId, ct).ConfigureAwait(false) is { Disabled: false };
    }

    public void Dispose() => _perAccount.Dispose();
}
