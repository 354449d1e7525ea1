using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Answers a refused request with the reason: 401 problem details when no valid credential came (a browser asking
/// for a page is sent to the sign-in page instead), 403 naming the role or credential the endpoint needs.
/// </summary>
internal sealed class AccessDeniedResponses(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        if (authorizeResult.Challenged)
        {
            if (WantsPage(context.Request))
            {
                context.Response.Redirect($"{Principals.SignInPath}?returnUrl={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}");
                return Task.CompletedTask;
            }

            var failure = context.RefusedCredential();
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign-in required", failure ?? "Sign in, or send an API token (Authorization: Bearer ...) or, to ingest, an ingest key (X-Api-Key).");
        }

        var needs = Needs(policy);
        var who = context.User.HasClaim(Principals.KindClaim, Principals.IngestKeyKind) ? "An ingest key can only send logs"
            : $"Your role is {context.User.Role()?.Name() ?? "none"}";
        return WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", $"{who}; this needs {needs}.");
    }

    private static bool WantsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api")
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static string Needs(AuthorizationPolicy policy)
    {
        var roles = policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).ToList();
        if (roles.Count > 0)
        {
            return roles.Count == 1 ? $"the role {roles[0]}" : $"the role {roles[0]} or higher";
        }

        return policy.Requirements.Any(r => r is IngestRequirement) ? "an ingest key or the editor role" : "other access";
    }

    private Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
