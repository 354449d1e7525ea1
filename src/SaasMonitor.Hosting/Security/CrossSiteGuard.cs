using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Refuses state-changing requests another site makes through a visitor's browser: an unsafe request whose
/// <c>Origin</c> is another site, or whose <c>Sec-Fetch-Site</c> says it is cross-site, is refused unless it carries its
/// own credential (an API token or ingest key, which a foreign page cannot send); an unsafe request signed in by the
/// session cookie also needs the antiforgery token (header <see cref="AntiforgeryHeader"/>, or the form field of
/// forms), unless its endpoint opts out with DisableAntiforgery (sign-in, setup, ingest).
/// </summary>
internal sealed class CrossSiteGuard(RequestDelegate next, IAntiforgery antiforgery, IProblemDetailsService problems)
{
    public const string AntiforgeryHeader = "X-CSRF-Token";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method)
            || HasOwnCredential(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (IsCrossSite(request))
        {
            await RefuseAsync(context, "Cross-site request refused", "This request came from another site's page; it is refused.").ConfigureAwait(false);
            return;
        }

        if (context.User.IsCookieSession() && NeedsToken(context) && !await HasValidTokenAsync(context).ConfigureAwait(false))
        {
            await RefuseAsync(
                context,
                "Antiforgery token missing",
                $"Requests signed in with the session cookie must send the {AntiforgeryHeader} header with the csrf_token of GET /api/user/current.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// Endpoints that opt out (sign-in, setup, ingest) and the dashboard's live connection (whose negotiation cannot
    /// carry the header) are still protected by the cross-site refusal above.
    /// </summary>
    private static bool NeedsToken(HttpContext context) =>
        context.GetEndpoint()?.Metadata is not { } metadata
        || (metadata.GetMetadata<IAntiforgeryMetadata>() is not { RequiresValidation: false } && metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>() is null);

    /// <summary>The header is required, except for plain HTML forms that carry the token as a field; a file upload is never read for it.</summary>
    private Task<bool> HasValidTokenAsync(HttpContext context) =>
        context.Request.Headers.ContainsKey(AntiforgeryHeader) || context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            ? antiforgery.IsRequestValidAsync(context)
            : Task.FromResult(false);

    internal static bool IsCrossSite(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length > 0 && site is not ("same-origin" or "none");
    }

    private static bool HasOwnCredential(HttpContext context) =>
        context.User.HasClaim(Principals.KindClaim, Principals.TokenKind) || context.User.HasClaim(Principals.KindClaim, Principals.IngestKeyKind);

    private Task RefuseAsync(HttpContext context, string title, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = title, Detail = detail },
        }).AsTask();
    }
}
