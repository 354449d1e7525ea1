using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// The admin the test servers create at start (SaasMonitor:Auth:BootstrapAdmin), and signing in as a person does:
/// password sign-in with the session cookie, then an API token for the test's client.
/// </summary>
public static class TestUsers
{
    public const string AdminName = "admin";
    public const string AdminPassword = "Kestrel-orbit-42-lantern";

    /// <summary>Settings that make a test server create <see cref="AdminName"/> at its first start.</summary>
    public static readonly string[] BootstrapSettings =
    [
        $"--SaasMonitor:Auth:BootstrapAdmin:Name={AdminName}",
        $"--SaasMonitor:Auth:BootstrapAdmin:Password={AdminPassword}",
    ];

    /// <summary>A browser-like client (cookies kept, redirects not followed) for <paramref name="baseAddress"/>.</summary>
    public static HttpClient Browser(Uri baseAddress, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    /// <summary>Signs <paramref name="browser"/> in; returns the csrf_token its unsafe requests must send.</summary>
    public static async Task<string> SignInAsync(HttpClient browser, string name = AdminName, string password = AdminPassword)
    {
        using var response = await browser.PostAsJsonAsync("/api/login", new { username = name, password });
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("csrf_token").GetString()!;
    }

    /// <summary>Signs in as <paramref name="name"/> and creates an API token acting as <paramref name="role"/>; returns its secret.</summary>
    public static async Task<string> TokenAsync(Uri baseAddress, string role = "admin", string name = AdminName, string password = AdminPassword)
    {
        using var browser = Browser(baseAddress);
        var csrf = await SignInAsync(browser, name, password);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "tests", role }) };
        request.Headers.Add("X-CSRF-Token", csrf);
        using var response = await browser.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
    }

    /// <summary>Makes every request of <paramref name="client"/> carry an admin API token.</summary>
    public static async Task AuthorizeAsync(HttpClient client) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(client.BaseAddress!));
}
