using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web.Pages;

/// <summary>The sign-in, first-run and home pages, and their script and style; shipped inside the assembly.</summary>
internal static class PageEndpoints
{
    private static readonly FrozenDictionary<string, string> Assets = new Dictionary<string, string>
    {
        ["signin.js"] = "text/javascript; charset=utf-8",
        ["site.css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary();

    public static void MapPages(this WebApplication app)
    {
        app.MapGet("/login", (IOptions<AuthOptions> options) => Page("login.html", options.Value.Oidc.Enabled))
            .WithName("SignInPage").WithSummary("The sign-in page.").ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/setup", () => Page("setup.html", sso: false))
            .WithName("SetupPage").WithSummary("The first-run page where the first admin is created.").ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/", () => Page("home.html", sso: false))
            .WithName("HomePage").WithSummary("The start page of a signed-in user.").ExcludeFromDescription().RequireAuthorization(Policies.Viewer);
        app.MapGet("/assets/{name}", (string name) => Assets.TryGetValue(name, out var type)
                ? Results.Stream(Open(name), type)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No asset '{name}'."))
            .WithName("Asset").WithSummary("Script and style of the sign-in pages.").ExcludeFromDescription().AllowAnonymous();
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
