using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web.Pages;

/// <summary>The sign-in and first-run pages with their script and style (shipped inside the assembly), and the sign-out form's target.</summary>
internal static class PageEndpoints
{
    private static readonly FrozenDictionary<string, string> Assets = new Dictionary<string, string>
    {
        ["signin.js"] = "text/javascript; charset=utf-8",
        ["site.css"] = "text/css; charset=utf-8",
        ["favicon.svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    public static void MapPages(this WebApplication app)
    {
        app.MapGet(Principals.SignInPath, (IOptions<AuthOptions> options) => Page("login.html", options.Value.Oidc.Enabled))
            .WithName("SignInPage").WithSummary("The sign-in page.").ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/setup", () => Page("setup.html", sso: false))
            .WithName("SetupPage").WithSummary("The first-run page where the first admin is created.").ExcludeFromDescription().AllowAnonymous();
        app.MapPost("/logout", async (HttpContext http, Sessions sessions) =>
            {
                await sessions.EndAsync(http);
                return Results.Redirect(Principals.SignInPath);
            })
            .WithName("SignOutForm").WithSummary("Sign out from the dashboard's form; back to the sign-in page.").ExcludeFromDescription().RequireAuthorization(Policies.Viewer);
        app.MapGet("/assets/{name}", (string name) => Assets.TryGetValue(name, out var type)
                ? Results.Stream(Open(name), type)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No asset '{name}'."))
            .WithName("Asset").WithSummary("Script, style and icon of the pages.").ExcludeFromDescription().AllowAnonymous();
    }

    private static IResult Page(string name, bool sso)
    {
        using var reader = new StreamReader(Open(name));
        var html = reader.ReadToEnd();
        return Results.Content(sso ? html.Replace("<body>", "<body data-sso=\"true\">", StringComparison.Ordinal) : html, "text/html; charset=utf-8");
    }

    private static Stream Open(string name) =>
        typeof(PageEndpoints).Assembly.GetManifestResourceStream("Dashboard.Web.Pages." + name)
        ?? throw new InvalidOperationException($"The page '{name}' is missing from the build.");
}
