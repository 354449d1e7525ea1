using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright): sign-in, every page with data, log
/// content shown as text only, the live tail, a viewer kept out of admin pages, and an axe accessibility check of
/// every page. Screenshots of every page are saved next to the test output (screenshots/) to be looked at.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Log content a hostile producer sends: it must arrive on screen as text and never run.</summary>
    private const string Hostile = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">";

    private static readonly string Screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    private readonly List<string> _violations = [];
    private InProcessHost _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is not installed: .ci/run installs it with apt-get install -y chromium.");
        }

        _host = await InProcessHost.StartAsync();
        var lines = string.Join('\n', Enumerable.Range(0, 60).Select(i =>
            $$"""{"level":"{{(i % 5 == 0 ? "error" : "info")}}","service":"{{(i % 2 == 0 ? "billing" : "checkout")}}","endpoint":"/api/orders","status_code":{{(i % 5 == 0 ? 502 : 200)}},"response_time_ms":{{40 + (i * 7)}},"user_id":"u{{i % 9}}","message":"order {{i}} handled"}"""));
        (await _host.IngestAsync(lines + "\n" + $$"""{"level":"error","service":"web","message":{{System.Text.Json.JsonSerializer.Serialize(Hostile)}}}""" + "\n", "application/x-ndjson")).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("q=") >= 61, TimeSpan.FromSeconds(30), "the sample events indexed");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_admin_signs_in_and_sees_every_page_with_data_and_hostile_log_content_only_as_text()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/"));
        page.Url.Should().Contain("/login", "a visitor who is not signed in is sent to the sign-in page");
        await page.GetByLabel("User name").FillAsync(TestUsers.AdminName);
        await page.GetByLabel("Password").FillAsync(TestUsers.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync(Url("/"));
        await Assertions.Expect(page.GetByText("Error rate by service")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("latest-error")).ToHaveTextAsync(Hostile);
        await ShotAsync(page, "overview");

        await page.GotoAsync(Url("/search?q=" + Uri.EscapeDataString("service:web")));
        await Assertions.Expect(page.GetByTestId("total")).ToContainTextAsync("1 events");
        await Assertions.Expect(page.Locator(".log-message", new() { HasText = "<script>window.__xss=1</script>" }).First).ToBeVisibleAsync();
        await ShotAsync(page, "search");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var detail = page.GetByRole(AriaRole.Button, new() { Name = "Filter by service" });
        for (var attempt = 0; attempt < 20 && !await detail.IsVisibleAsync(); attempt++)
        {
            // The prerendered page answers clicks once its live connection is up.
            await page.Locator("tr", new() { HasText = "<script>" }).Last.ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }

        await Assertions.Expect(detail).ToBeVisibleAsync();
        await ShotAsync(page, "search-event");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(detail).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("/");
        (await page.EvaluateAsync<bool>("() => document.activeElement?.closest('[data-testid=query]') !== null")).Should().BeTrue("'/' focuses the query box");

        await page.GotoAsync(Url("/live"));
        var marker = "live-" + Guid.NewGuid().ToString("N")[..8];
        (await _host.IngestAsync($$"""{"level":"warn","service":"live","message":"{{marker}} arrived"}""" + "\n", "application/x-ndjson")).EnsureSuccessStatusCode();
        await Assertions.Expect(page.GetByText($"{marker} arrived")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await ShotAsync(page, "live-tail");

        await page.GotoAsync(Url("/admin/users"));
        await Assertions.Expect(page.GetByText("Ingest keys")).ToBeVisibleAsync();
        await ShotAsync(page, "admin-users");

        await page.GotoAsync(Url("/admin/audit"));
        await Assertions.Expect(page.GetByTestId("audit")).ToContainTextAsync("sign_in");
        await ShotAsync(page, "admin-audit");

        (await _host.UploadAsync("orders.log", "2026-12-01 10:00:00 ERROR checkout payment declined\n2026-12-01 10:00:01 INFO checkout retried\n"u8.ToArray())).EnsureSuccessStatusCode();
        await page.GotoAsync(Url("/files"));
        await Assertions.Expect(page.GetByTestId("files")).ToContainTextAsync("orders.log");
        await ShotAsync(page, "files");

        await page.GotoAsync(Url("/system"));
        await Assertions.Expect(page.GetByTestId("engines")).ToContainTextAsync("events indexed");
        await ShotAsync(page, "system");

        await page.GotoAsync(Url("/account"));
        await Assertions.Expect(page.GetByText("My API tokens")).ToBeVisibleAsync();
        await ShotAsync(page, "account");

        (await page.EvaluateAsync<bool>("() => window.__xss === undefined")).Should().BeTrue("log content never runs as script");
        _violations.Should().BeEmpty(
            "no dialog opened, the browser reported no CSP violation or script error, and axe found no serious accessibility violation: {0}",
            string.Join(Environment.NewLine, _violations));
    }

    [Fact]
    public async Task A_viewer_sees_no_admin_page_and_the_server_refuses_it()
    {
        using (var created = await _host.Client.PostAsJsonAsync("/api/users", new { name = "browser-viewer", role = "viewer", password = "granite-meadow-otter-31" }))
        {
            created.EnsureSuccessStatusCode();
        }

        var page = await NewPageAsync();
        await page.GotoAsync(Url("/login"));
        await page.GetByLabel("User name").FillAsync("browser-viewer");
        await page.GetByLabel("Password").FillAsync("granite-meadow-otter-31");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/"));

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Search" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users and keys" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        var refused = await page.GotoAsync(Url("/admin/users"));
        refused!.Status.Should().Be(403);
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => _violations.Add("dialog: " + dialog.Message);
        page.PageError += (_, error) => _violations.Add("page error: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _violations.Add("CSP: " + message.Text);
            }
        };
        return page;
    }

    private string Url(string path) => new Uri(_host.BaseAddress, path).ToString();

    /// <summary>Saves a screenshot of the page and checks it with axe: no serious or critical accessibility violation.</summary>
    private async Task ShotAsync(IPage page, string name)
    {
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
        var axe = await page.RunAxe();
        _violations.AddRange(axe.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{name}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}"));
    }
}
