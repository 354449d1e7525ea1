using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SaasMonitor.EndToEnd;

public sealed class SecureHost() : HostFixture("--SaasMonitor:Auth:SignInsPerMinutePerAddress=1000", "--SaasMonitor:Auth:SignInsPerMinutePerAccount=1000");

/// <summary>People's sign-in: the session cookie, its revocation, cross-site refusal and CSRF, and per-user data.</summary>
public sealed class SignInTests(SecureHost fixture) : IClassFixture<SecureHost>
{
    private const string Password = "granite-meadow-otter-31";
    private readonly InProcessHost _host = fixture.Host;

    [Fact]
    public async Task Signing_in_sets_an_http_only_same_site_cookie_and_a_new_session_each_time()
    {
        await CreateUserAsync("cookie-user", "viewer");
        var cookies = new CookieContainer();
        using var browser = TestUsers.Browser(_host.BaseAddress, cookies);

        using var first = await browser.PostAsJsonAsync("/api/login", new { username = "cookie-user", password = Password });
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var setCookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("saasmon.session=", StringComparison.Ordinal)).ToLowerInvariant();
        setCookie.Should().Contain("httponly").And.Contain("samesite=lax").And.Contain("path=/").And.NotContain("secure", "the request was plain HTTP");
        var firstSession = SessionCookie(cookies);

        using var second = await browser.PostAsJsonAsync("/api/login", new { username = "cookie-user", password = Password });
        second.StatusCode.Should().Be(HttpStatusCode.OK);
        SessionCookie(cookies).Should().NotBe(firstSession, "every sign-in starts a new session");
        (await browser.GetAsync("/api/user/current")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await WithCookieAsync(firstSession)).Should().Be(HttpStatusCode.Unauthorized, "signing in again ended the browser's previous session");
    }

    [Fact]
    public void The_session_cookie_is_marked_secure_whenever_the_request_is_https()
    {
        var cookie = _host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get("Cookies").Cookie;
        var https = new DefaultHttpContext();
        https.Request.Scheme = "https";

        cookie.Build(https).Secure.Should().BeTrue();
        cookie.Build(new DefaultHttpContext()).Secure.Should().BeFalse();
        (cookie.HttpOnly, cookie.SameSite).Should().Be((true, SameSiteMode.Lax));
    }

    [Fact]
    public async Task Signing_out_ends_the_session_for_every_copy_of_its_cookie()
    {
        await CreateUserAsync("leaving-user", "viewer");
        var (browser, csrf, cookies) = await SignInAsync("leaving-user");
        using (browser)
        {
            var stolen = SessionCookie(cookies);
            (await WithCookieAsync(stolen)).Should().Be(HttpStatusCode.OK);

            using var logout = await SendAsync(browser, HttpMethod.Post, "/api/logout", csrf);
            logout.StatusCode.Should().Be(HttpStatusCode.NoContent);

            (await WithCookieAsync(stolen)).Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Theory]
    [InlineData("role")]
    [InlineData("disable")]
    [InlineData("password")]
    public async Task Changing_a_users_role_status_or_password_ends_their_live_sessions_at_once(string change)
    {
        var name = "changed-" + change;
        var id = await CreateUserAsync(name, "editor");
        var (browser, _, _) = await SignInAsync(name);
        using (browser)
        {
            (await browser.GetAsync("/api/user/current")).StatusCode.Should().Be(HttpStatusCode.OK);
            object patch = change switch
            {
                "role" => new { role = "viewer" },
                "disable" => new { disabled = true },
                _ => new { password = "another-granite-otter-32" },
            };
            using var changed = await _host.Client.PatchAsJsonAsync($"/api/users/{id}", patch);
            changed.StatusCode.Should().Be(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());

            using var after = await browser.GetAsync("/api/user/current");
            after.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_cross_site_post_with_the_session_cookie_is_refused_and_a_same_site_one_needs_the_csrf_token()
    {
        await CreateUserAsync("csrf-user", "editor");
        var (browser, csrf, _) = await SignInAsync("csrf-user");
        using (browser)
        {
            var search = new { name = "mine", query = "level:ERROR" };
            using var foreign = await SendAsync(browser, HttpMethod.Post, "/api/saved-searches", csrf, search, origin: "https://evil.example");
            foreign.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await Problem(foreign)).GetProperty("title").GetString().Should().Be("Cross-site request refused");

            using var fetchSite = await SendAsync(browser, HttpMethod.Post, "/api/saved-searches", csrf, search, fetchSite: "cross-site");
            fetchSite.StatusCode.Should().Be(HttpStatusCode.Forbidden);

            using var noToken = await SendAsync(browser, HttpMethod.Post, "/api/saved-searches", csrf: null, search, origin: _host.BaseAddress.GetLeftPart(UriPartial.Authority));
            noToken.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await Problem(noToken)).GetProperty("detail").GetString().Should().Contain("X-CSRF-Token");

            using var sameSite = await SendAsync(browser, HttpMethod.Post, "/api/saved-searches", csrf, search, origin: _host.BaseAddress.GetLeftPart(UriPartial.Authority), fetchSite: "same-origin");
            sameSite.StatusCode.Should().Be(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task A_foreign_page_cannot_post_logs_or_files_through_a_visitors_browser()
    {
        using var anonymous = TestUsers.Browser(_host.BaseAddress);
        using var text = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = new StringContent("injected line", System.Text.Encoding.UTF8, "text/plain") };
        text.Headers.Add("Origin", "https://evil.example");
        (await anonymous.SendAsync(text)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        using var form = new MultipartFormDataContent { { new StringContent("injected line"), "file", "x.log" } };
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/api/upload") { Content = form };
        upload.Headers.Add("Sec-Fetch-Site", "cross-site");
        (await anonymous.SendAsync(upload)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_unknown_user_and_a_wrong_password_get_the_same_answer()
    {
        await CreateUserAsync("known-user", "viewer");
        using var browser = TestUsers.Browser(_host.BaseAddress);

        using var unknown = await browser.PostAsJsonAsync("/api/login", new { username = "nobody-here", password = Password });
        using var wrong = await browser.PostAsJsonAsync("/api/login", new { username = "known-user", password = "not-the-password-99" });

        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Problem(unknown)).GetProperty("detail").GetString().Should().Be((await Problem(wrong)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_acts_with_a_lower_role_than_its_owner_and_never_with_a_higher_one()
    {
        var viewerToken = await TestUsers.TokenAsync(_host.BaseAddress, role: "viewer");
        using var asViewer = new HttpClient { BaseAddress = _host.BaseAddress };
        asViewer.DefaultRequestHeaders.Authorization = new("Bearer", viewerToken);

        (await asViewer.GetAsync("/api/search")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var users = await asViewer.GetAsync("/api/users");
        users.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the admin's token was made as a viewer");
        (await Problem(users)).GetProperty("detail").GetString().Should().Contain("viewer").And.Contain("admin");
        (await asViewer.GetFromJsonAsync<JsonElement>("/api/user/current")).GetProperty("role").GetString().Should().Be("viewer");

        using var higher = await asViewer.PostAsJsonAsync("/api/tokens", new { name = "escalate", role = "admin" });
        higher.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await CreateUserAsync("plain-viewer", "viewer");
        var act = () => TestUsers.TokenAsync(_host.BaseAddress, role: "editor", name: "plain-viewer", password: Password);
        await act.Should().ThrowAsync<Exception>("a viewer cannot make an editor token");
    }

    [Fact]
    public async Task Saved_searches_and_history_belong_to_their_user_and_sharing_needs_an_editor()
    {
        await CreateUserAsync("viewer-one", "viewer");
        await CreateUserAsync("viewer-two", "viewer");
        using var one = await TokenClientAsync("viewer-one");
        using var two = await TokenClientAsync("viewer-two");

        (await one.PostAsJsonAsync("/api/saved-searches", new { name = "one's private", query = "level:ERROR" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await one.PostAsJsonAsync("/api/saved-searches", new { name = "one's shared", query = "level:WARN", shared = true })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _host.Client.PostAsJsonAsync("/api/saved-searches", new { name = "team view", query = "service:billing", shared = true })).StatusCode.Should().Be(HttpStatusCode.Created);
        await one.GetAsync("/api/search?q=only-one-searched-this");

        var seenByTwo = await two.GetFromJsonAsync<JsonElement>("/api/saved-searches");
        seenByTwo.EnumerateArray().Select(s => s.GetProperty("name").GetString()).Should().Contain("team view").And.NotContain("one's private");
        var seenByOne = await one.GetFromJsonAsync<JsonElement>("/api/saved-searches");
        seenByOne.EnumerateArray().Select(s => s.GetProperty("name").GetString()).Should().Contain(["team view", "one's private"]);
        (await two.GetFromJsonAsync<JsonElement>("/api/search-history")).EnumerateArray().Select(h => h.GetProperty("query").GetString()).Should().NotContain("only-one-searched-this");
        (await one.GetFromJsonAsync<JsonElement>("/api/search-history")).EnumerateArray().Select(h => h.GetProperty("query").GetString()).Should().Contain("only-one-searched-this");

        var shared = seenByTwo.EnumerateArray().First(s => s.GetProperty("name").GetString() == "team view").GetProperty("id").GetString();
        (await two.DeleteAsync($"/api/saved-searches/{shared}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_refusals_say_why()
    {
        using var anonymous = new HttpClient { BaseAddress = _host.BaseAddress };
        using var page = await anonymous.GetAsync("/login");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.Contain("object-src 'none'");
        csp.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)).Should().NotContain("unsafe-inline").And.NotContain("unsafe-eval");
        page.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        page.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        page.Headers.GetValues("Referrer-Policy").Should().Equal("same-origin");
        (await page.Content.ReadAsStringAsync()).Should().NotContain("<script>", "the pages have no inline script");

        using var refused = await anonymous.GetAsync("/api/search");
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await Problem(refused)).GetProperty("detail").GetString().Should().Contain("Sign in");
        refused.Headers.CacheControl!.NoStore.Should().BeTrue();

        using var browserPage = new HttpRequestMessage(HttpMethod.Get, "/");
        browserPage.Headers.Accept.ParseAdd("text/html");
        using var noRedirects = TestUsers.Browser(_host.BaseAddress);
        using var redirected = await noRedirects.SendAsync(browserPage);
        redirected.StatusCode.Should().Be(HttpStatusCode.Redirect);
        redirected.Headers.Location!.ToString().Should().StartWith("/login?returnUrl=");
    }

    private async Task<string> CreateUserAsync(string name, string role)
    {
        using var created = await _host.Client.PostAsJsonAsync("/api/users", new { name, role, password = Password });
        var body = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<(HttpClient Browser, string Csrf, CookieContainer Cookies)> SignInAsync(string name)
    {
        var cookies = new CookieContainer();
        var browser = TestUsers.Browser(_host.BaseAddress, cookies);
        return (browser, await TestUsers.SignInAsync(browser, name, Password), cookies);
    }

    private async Task<HttpClient> TokenClientAsync(string name)
    {
        var client = new HttpClient { BaseAddress = _host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await TestUsers.TokenAsync(_host.BaseAddress, "viewer", name, Password));
        return client;
    }

    private string SessionCookie(CookieContainer cookies) => cookies.GetCookies(_host.BaseAddress)["saasmon.session"]!.Value;

    /// <summary>GET /api/user/current from a fresh browser holding only <paramref name="sessionCookie"/>.</summary>
    private async Task<HttpStatusCode> WithCookieAsync(string sessionCookie)
    {
        var cookies = new CookieContainer();
        cookies.Add(_host.BaseAddress, new Cookie("saasmon.session", sessionCookie));
        using var browser = TestUsers.Browser(_host.BaseAddress, cookies);
        using var response = await browser.GetAsync("/api/user/current");
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient browser, HttpMethod method, string path, string? csrf, object? body = null, string? origin = null, string? fetchSite = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        return await browser.SendAsync(request);
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
