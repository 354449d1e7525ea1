using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Single sign-on against a real OpenID Connect provider (OpenIddict, in this process on loopback): the authorization
/// code flow with PKCE end to end, the provider's role claim mapped to a SaasMonitor role, the user created on first
/// sign-in and updated at the next.
/// </summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    private const string ClientId = "saasmonitor";
    private const string ClientSecret = "oidc-test-client-secret";

    private WebApplication _provider = null!;
    private Uri _issuer = null!;

    /// <summary>The roles the provider gives the next user it signs in.</summary>
    private string[] _roles = [];

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"] });
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.EnableDegradedMode();
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(c =>
            {
                if (c.ClientId != ClientId || c.RedirectUri?.EndsWith("/signin-oidc", StringComparison.Ordinal) != true)
                {
                    c.Reject(Errors.InvalidClient, "Unknown client or redirect.");
                }

                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(h => h.UseInlineHandler(c =>
            {
                if (c.ClientId != ClientId || c.ClientSecret != ClientSecret)
                {
                    c.Reject(Errors.InvalidClient, "Wrong client credentials.");
                }

                return default;
            }));
        });
        _provider = builder.Build();
        _provider.UseAuthentication();
        _provider.MapGet("/connect/authorize", (HttpContext http) =>
        {
            // The provider's own sign-in page is out of scope: it signs "sso-sam" in at once.
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, "roles");
            identity.AddClaim(new Claim(Claims.Subject, "sam-42"));
            identity.AddClaim(new Claim(Claims.PreferredUsername, "sso-sam"));
            foreach (var role in _roles)
            {
                identity.AddClaim(new Claim("roles", role));
            }

            var principal = new ClaimsPrincipal(identity);
            principal.SetScopes(http.GetOpenIddictServerRequest()!.GetScopes());
            principal.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await _provider.StartAsync();
        _issuer = new Uri(_provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task Single_sign_on_creates_the_user_with_the_mapped_role_and_a_session_then_follows_role_changes()
    {
        await using var host = await InProcessHost.StartAsync(
            $"--SaasMonitor:Auth:Oidc:Authority={_issuer}",
            $"--SaasMonitor:Auth:Oidc:ClientId={ClientId}",
            $"--SaasMonitor:Auth:Oidc:ClientSecret={ClientSecret}",
            "--SaasMonitor:Auth:Oidc:RequireHttpsMetadata=false",
            "--SaasMonitor:Auth:Oidc:EditorValues:0=log-editors",
            "--SaasMonitor:Auth:Oidc:AdminValues:0=platform-admins");

        _roles = ["log-editors"];
        var me = await SignInThroughProviderAsync(host);
        (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("signed_in_with").GetString()).Should().Be(("sso-sam", "editor", "session"));
        var user = await host.GetJsonAsync("/api/users/sso-sam");
        user.GetProperty("single_sign_on").GetBoolean().Should().BeTrue();

        _roles = ["platform-admins"];
        (await SignInThroughProviderAsync(host)).GetProperty("role").GetString().Should().Be("admin", "the role follows the provider's claims at each sign-in");
        (await host.GetJsonAsync("/api/users")).EnumerateArray().Count(u => u.GetProperty("name").GetString() == "sso-sam").Should().Be(1);

        _roles = ["unrelated-group"];
        using var browser = TestUsers.Browser(host.BaseAddress);
        var landing = await FollowAsync(browser, new Uri(host.BaseAddress, "/login/oidc?returnUrl=/api/user/current"));
        landing.Should().Be("/login?error=no_role", "a user whose claims map to no role is refused");

        var audit = (await host.GetJsonAsync("/api/audit?user=sso-sam")).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        audit.Should().Contain(["sign_in", "sign_in_failed"]);
    }

    /// <summary>Signs a fresh browser in through the provider and returns what /api/user/current then says.</summary>
    private static async Task<JsonElement> SignInThroughProviderAsync(InProcessHost host)
    {
        using var browser = TestUsers.Browser(host.BaseAddress);
        var landing = await FollowAsync(browser, new Uri(host.BaseAddress, "/login/oidc?returnUrl=/api/user/current"));
        landing.Should().Be("/api/user/current");
        using var me = await browser.GetAsync(landing);
        me.StatusCode.Should().Be(HttpStatusCode.OK);
        return await me.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Follows redirects across the provider and SaasMonitor as a browser does; returns the first local path on SaasMonitor after the callback.</summary>
    private static async Task<string> FollowAsync(HttpClient browser, Uri start)
    {
        var next = start;
        for (var hop = 0; hop < 10; hop++)
        {
            using var response = await browser.GetAsync(next);
            if (response.StatusCode != HttpStatusCode.Redirect && response.StatusCode != HttpStatusCode.Found)
            {
                throw new InvalidOperationException($"GET {next} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            var location = response.Headers.Location!;
            if (!location.IsAbsoluteUri)
            {
                return location.OriginalString;
            }

            next = location;
        }

        throw new InvalidOperationException("Too many redirects.");
    }
}
