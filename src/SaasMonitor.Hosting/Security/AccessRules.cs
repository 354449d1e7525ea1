using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace SaasMonitor.Hosting.Security;

/// <summary>May the caller send logs: an ingest key, an editor or admin, or an anonymous caller as <see cref="AuthOptions.AnonymousIngest"/> allows.</summary>
internal sealed class IngestRequirement : IAuthorizationRequirement;

/// <summary>May the caller scrape /metrics: from this machine, or with the configured scrape token.</summary>
internal sealed class MetricsRequirement : IAuthorizationRequirement;

internal sealed class AccessRuleHandler(IOptions<AuthOptions> options) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var http = context.Resource as HttpContext;
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var met = requirement switch
            {
                IngestRequirement => MayIngest(context, http),
                MetricsRequirement => http is not null && (IsLoopback(http) || HasScrapeToken(http)),
                _ => false,
            };
            if (met)
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }

    private bool MayIngest(AuthorizationHandlerContext context, HttpContext? http)
    {
        var user = context.User;
        if (user.HasClaim(Principals.KindClaim, Principals.IngestKeyKind) || user.IsInRole(Policies.Editor))
        {
            return true;
        }

        // A caller whose key or token was refused is not anonymous: it does not fall back to the anonymous rule.
        if (user.Identity?.IsAuthenticated == true || http is null || http.RefusedCredential() is not null)
        {
            return false;
        }

        return MayIngestAnonymously(options.Value.AnonymousIngest, http.Connection.RemoteIpAddress);
    }

    /// <summary>The anonymous-ingest rule on its own: <see cref="AnonymousIngest.Loopback"/> admits only this machine's addresses.</summary>
    internal static bool MayIngestAnonymously(AnonymousIngest rule, IPAddress? remote) => rule switch
    {
        AnonymousIngest.Always => true,
        AnonymousIngest.Loopback => remote is not null && IPAddress.IsLoopback(remote),
        _ => false,
    };

    private static bool IsLoopback(HttpContext http) => http.Connection.RemoteIpAddress is { } a && IPAddress.IsLoopback(a);

    private bool HasScrapeToken(HttpContext http) =>
        options.Value.MetricsToken is { Length: > 0 } expected
        && ApiTokenHandler.BearerOf(http.Request.Headers.Authorization.ToString()) is { } sent
        && Secrets.FixedTimeEquals(sent, expected);
}
