using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SaasMonitor.Core.Alerting;

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
        await Assertions.Expect(page.GetByTestId("total")).ToContainTextAsync("1 event ");
        await Assertions.Expect(page.Locator(".log-message", new() { HasText = "<script>window.__xss=1</script>" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("top-values")).ToContainTextAsync("web");
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
        await page.GetByLabel("Name this search to save it").FillAsync("Web errors");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("Saved as 'Web errors'.")).ToBeVisibleAsync();
        await page.GetByTestId("saved-menu").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "Web errors" })).ToBeVisibleAsync();
        await ShotAsync(page, "search-saved");
        await page.Keyboard.PressAsync("Escape");

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

        var page = await SignInAsync("browser-viewer", "granite-meadow-otter-31");

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Search" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users and keys" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Upload" })).ToHaveCountAsync(0);
        var refused = await page.GotoAsync(Url("/admin/users"));
        refused!.Status.Should().Be(403);
        (await page.GotoAsync(Url("/upload")))!.Status.Should().Be(403, "uploading needs an editor");
    }

    [Fact]
    public async Task An_editor_uploads_files_with_a_preview_watches_them_processed_deletes_one_and_redrives_its_rejected_record()
    {
        var page = await SignInAsync(TestUsers.AdminName, TestUsers.AdminPassword);
        await page.GotoAsync(Url("/upload"));
        await Assertions.Expect(page.Locator("[data-testid=drop-zone][data-ready=true]")).ToHaveCountAsync(1);
        var text = "2026-12-01 10:00:00 ERROR checkout payment declined\n2026-12-01 10:00:01 INFO checkout retried\n"u8.ToArray();
        await page.GetByTestId("upload-input").SetInputFilesAsync(new FilePayload { Name = "checkout.log", MimeType = "text/plain", Buffer = text });
        var jsonLines = $$"""
            {"level":"info","service":"orders","message":"order 1 placed"}
            {"level":"error","service":"orders","message":"order 2 failed"}
            {"level":"info","service":"orders", broken {{Hostile}}
            """ + "\n";
        var dropped = await page.EvaluateHandleAsync(
            "text => { const t = new DataTransfer(); t.items.add(new File([text], 'orders.jsonl', { type: 'application/x-ndjson' })); return t; }", jsonLines);
        await page.GetByTestId("drop-zone").DispatchEventAsync("drop", new { dataTransfer = dropped });

        await Assertions.Expect(page.GetByTestId("upload-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("preview-summary").Last).ToContainTextAsync("2 events and 1 rejected");
        await Assertions.Expect(page.GetByText("Record 3 would be rejected")).ToBeVisibleAsync();
        await ShotAsync(page, "upload-preview");

        await page.GetByRole(AriaRole.Button, new() { Name = "Upload all (2)" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("processing").First).ToContainTextAsync("Processed", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("processing").Last).ToContainTextAsync("Processed", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("processing").Last).ToContainTextAsync("1 rejected");
        await ShotAsync(page, "upload-processed");

        var files = await _host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/files?page_size=200");
        string IdOf(string name) => files.GetProperty("files").EnumerateArray().First(f => f.GetProperty("filename").GetString() == name).GetProperty("id").GetString()!;
        var checkout = IdOf("checkout.log");
        var orders = IdOf("orders.jsonl");
        (await _host.TotalAsync($"q=file_id:{checkout}&from=now-30d")).Should().Be(2);

        await page.GotoAsync(Url("/files"));
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete checkout.log" });
        for (var attempt = 0; attempt < 20 && !await page.GetByRole(AriaRole.Dialog).IsVisibleAsync(); attempt++)
        {
            // The prerendered page answers clicks once its live connection is up.
            await delete.ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("cannot be undone");
        await ShotAsync(page, "files-delete");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("checkout.log deleted.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("files")).Not.ToContainTextAsync("checkout.log");
        await Eventually.HoldsAsync(async () => await _host.TotalAsync($"q=file_id:{checkout}&from=now-30d") == 0, TimeSpan.FromSeconds(30), "the deleted file's events gone");

        await page.GotoAsync(Url($"/dead-letters?file={orders}"));
        await Assertions.Expect(page.GetByTestId("dead-letters")).ToContainTextAsync("invalid-json");
        await Assertions.Expect(page.GetByTestId("dead-letters").Locator(".log-message")).ToContainTextAsync("<script>window.__xss=1</script>");
        var position = page.GetByTestId("dead-letters").Locator("tbody tr").First.GetByRole(AriaRole.Button);
        for (var attempt = 0; attempt < 20 && !await page.GetByTestId("dead-letter-detail").IsVisibleAsync(); attempt++)
        {
            await position.ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }

        await Assertions.Expect(page.GetByTestId("original-text")).ToContainTextAsync("broken <script>");
        await Assertions.Expect(page.GetByTestId("original-hex")).ToContainTextAsync("7b 22 6c 65");
        await ShotAsync(page, "dead-letter");
        await page.Keyboard.PressAsync("Escape");
        await page.GetByRole(AriaRole.Checkbox).First.CheckAsync();
        await page.GetByTestId("redrive-format").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "text", Exact = true }).ClickAsync();
        await page.GetByTestId("redrive").ClickAsync();
        await Assertions.Expect(page.GetByText("Re-sent 1 dead letter(s) to the parser.")).ToBeVisibleAsync();
        await Eventually.HoldsAsync(async () => await _host.TotalAsync($"q={Uri.EscapeDataString($"file_id:{orders} AND message:broken")}&from=now-30d") == 1, TimeSpan.FromSeconds(30), "the redriven record indexed");

        using (var again = await _host.Client.PostAsJsonAsync("/api/dead-letters/redrive", new { all = true }))
        {
            again.EnsureSuccessStatusCode();
        }

        await page.WaitForTimeoutAsync(2000);
        (await _host.TotalAsync($"q={Uri.EscapeDataString($"file_id:{orders} AND message:broken")}&from=now-30d")).Should().Be(1, "a dead letter is redriven once, however often it is asked");
        (await page.EvaluateAsync<bool>("() => window.__xss === undefined")).Should().BeTrue("log content never runs as script");
        _violations.Should().BeEmpty(string.Join(Environment.NewLine, _violations));
    }

    [Fact]
    public async Task An_admin_sees_alert_rules_with_their_state_the_history_silences_and_channels_and_sends_a_test()
    {
        // Stored directly: a loopback target is refused by the API unless private targets are allowed, and the test send is refused the same way.
        await _host.Services.GetRequiredService<IAlertStore>().SaveChannelAsync(
            new AlertChannel { Id = "ops-hook", Name = "ops hook", Type = ChannelType.Webhook, Url = "http://127.0.0.1:9/hook" }, CancellationToken.None);
        using (var rule = await _host.Client.PostAsJsonAsync("/api/alert-rules", new { name = "billing errors", query = "service:billing AND level:error", window = "1d", threshold = 1, channels = new[] { "ops-hook" } }))
        {
            rule.EnsureSuccessStatusCode();
        }

        await Eventually.HoldsAsync(
            async () => (await _host.GetJsonAsync("/api/alerts?state=firing")).GetArrayLength() > 0,
            TimeSpan.FromSeconds(60),
            "the rule firing");
        var page = await SignInAsync(TestUsers.AdminName, TestUsers.AdminPassword);
        await page.GotoAsync(Url("/alerts"));
        await Assertions.Expect(page.GetByTestId("alert-rules")).ToContainTextAsync("billing errors");
        await Assertions.Expect(page.GetByTestId("alert-rules")).ToContainTextAsync("firing");
        await ShotAsync(page, "alerts");

        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alert-history")).ToContainTextAsync("went from normal to firing");
        await ShotAsync(page, "alerts-history");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Silences" }).ClickAsync();
        await page.GetByLabel("Labels (service=billing, ...)").FillAsync("service=billing");
        await page.GetByLabel("Comment").FillAsync("deploy of billing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Silence" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("silences")).ToContainTextAsync("deploy of billing");
        await ShotAsync(page, "alerts-silences");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Channels" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Test to ops hook failed")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("alert-channels")).ToContainTextAsync("test failed");
        await ShotAsync(page, "alerts-channels");

        _violations.Should().BeEmpty(string.Join(Environment.NewLine, _violations));
    }

    private async Task<IPage> SignInAsync(string name, string password)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/login"));
        await page.GetByLabel("User name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/"));
        return page;
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
