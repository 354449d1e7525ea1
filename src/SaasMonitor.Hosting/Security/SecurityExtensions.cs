using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Caching;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// One authentication and authorization model for every SaasMonitor process: session cookies for people, bearer API
/// tokens for scripts, ingest keys for shippers; a fallback policy that requires a signed-in viewer, so an endpoint
/// that declares nothing is closed; cross-site refusal, antiforgery, security headers and sign-in rate limits.
/// </summary>
public static class SecurityExtensions
{
    /// <summary>The rate-limiter policy of the sign-in endpoints (attempts per minute per address).</summary>
    public const string SignInRateLimit = "sign-in";

    public static IServiceCollection AddSaasMonitorSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => !o.Oidc.Enabled || !string.IsNullOrWhiteSpace(o.Oidc.ClientId), "OpenID Connect sign-in needs SaasMonitor:Auth:Oidc:ClientId as well as its Authority.")
            .Validate(
                o => string.IsNullOrEmpty(o.BootstrapAdmin.Name) || o.BootstrapAdmin.Password is { } p && Passwords.Weakness(p, o.BootstrapAdmin.Name) is null,
                "SaasMonitor:Auth:BootstrapAdmin:Password is missing or too weak: it needs at least 12 characters, not a common password, not built from the user's name.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Passwords>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Accounts>();
        services.AddSingleton<Sessions>();

        services.AddDataProtection().SetApplicationName("SaasMonitor");
        // Cookies, antiforgery tokens and alert channel secrets stay readable across restarts and between processes:
        // the key ring is in the store when the store adapter keeps one (MongoDB), else in the data folder.
        // The folder is read without validation: a configuration error is reported by the options' own check at start.
        services.TryAddSingleton<IXmlRepository>(sp => new FileSystemXmlRepository(
            new DirectoryInfo(Path.Combine((configuration.GetSection(SaasMonitorOptions.Section).Get<SaasMonitorOptions>() ?? new()).DataDirectory, "keys")),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddOptions<KeyManagementOptions>().Configure<IXmlRepository>((keys, ring) => keys.XmlRepository = ring);

        var auth = services.AddAuthentication(Principals.DefaultScheme)
            .AddPolicyScheme(Principals.DefaultScheme, "SaasMonitor", o => o.ForwardDefaultSelector = SchemeOf)
            .AddCookie(Principals.CookieScheme, o =>
            {
                o.Cookie.Name = "saasmon.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = false;
                o.LoginPath = Principals.SignInPath;
                o.Events.OnValidatePrincipal = c => c.HttpContext.RequestServices.GetRequiredService<Sessions>().ValidateAsync(c);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(Principals.TokenScheme, null)
            .AddScheme<AuthenticationSchemeOptions, IngestKeyHandler>(Principals.IngestKeyScheme, null);
        OpenIdConnectSignIn.Add(auth, configuration);

        services.AddAntiforgery(o =>
        {
            o.HeaderName = CrossSiteGuard.AntiforgeryHeader;
            o.Cookie.Name = "saasmon.csrf";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddSingleton<IAuthorizationHandler, AccessRuleHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AccessDeniedResponses>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, p => p.RequireRole(Policies.Viewer))
            .AddPolicy(Policies.Editor, p => p.RequireRole(Policies.Editor))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Policies.Admin))
            .AddPolicy(Policies.Ingest, p => p.AddRequirements(new IngestRequirement()))
            .AddPolicy(Policies.Metrics, p => p.AddRequirements(new MetricsRequirement()))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(Policies.Viewer).Build());

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInRateLimit, http => http.RequestServices.GetRequiredService<IRateLimits>().FixedWindow(
                "sign-in:address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.SignInsPerMinutePerAddress,
                TimeSpan.FromMinutes(1)));
            o.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many attempts", Detail = "Too many sign-in attempts from this address; wait a minute and try again." },
                }).ConfigureAwait(false);
            };
        });
        return services;
    }

    /// <summary>
    /// The security middleware, in order: HSTS over HTTPS, authentication, cross-site refusal, rate limits,
    /// authorization, antiforgery. The security headers come first of all (<see cref="SecurityHeaders"/>).
    /// </summary>
    public static WebApplication UseSaasMonitorSecurity(this WebApplication app)
    {
        app.UseHsts();
        app.UseAuthentication();
        app.UseMiddleware<CrossSiteGuard>();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    private static string SchemeOf(HttpContext context)
    {
        if (ApiTokenHandler.BearerOf(context.Request.Headers.Authorization.ToString()) is { } bearer && bearer.StartsWith(Secrets.TokenPrefix, StringComparison.Ordinal))
        {
            return Principals.TokenScheme;
        }

        return IngestKeyHandler.KeyOf(context.Request) is not null ? Principals.IngestKeyScheme : Principals.CookieScheme;
    }
}
