using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting;

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
    private const string Hostile =
        "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\"><a href=\"javascript:window.__xss=3\">open</a><style>body{display:none}</style>";

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
        await ClickUntilAsync(page.Locator("tr", new() { HasText = "<script>" }).Last, detail);

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
        await InteractiveAsync(page);
        var filter = page.GetByLabel("Filter (Lucene syntax)");
        await filter.FillAsync("service:live");
        await filter.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("live-status")).ToContainTextAsync("matching");
        var marker = "live-" + Guid.NewGuid().ToString("N")[..8];
        var lines = $$"""{"level":"warn","service":"live","message":{{System.Text.Json.JsonSerializer.Serialize($"{marker} arrived {Hostile}")}}}""" + "\n" + $$"""{"level":"error","service":"other","message":"{{marker}} filtered out"}""" + "\n";
        (await _host.IngestAsync(lines, "application/x-ndjson")).EnsureSuccessStatusCode();
        var acknowledged = System.Diagnostics.Stopwatch.StartNew();
        await Assertions.Expect(page.GetByText($"{marker} arrived")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        TestContext.Current.TestOutputHelper?.WriteLine($"live tail: on screen {acknowledged.ElapsedMilliseconds} ms after the ingest was acknowledged");
        await Assertions.Expect(page.GetByText($"{marker} filtered out")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("live-rows").Locator(".log-message", new() { HasText = "<a href=\"javascript:window.__xss=3\">" })).ToBeVisibleAsync();
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

        await page.GotoAsync(Url("/docs"));
        await Assertions.Expect(page.GetByText("Dead letters").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        (await page.TitleAsync()).Should().Be("SaasMonitor API");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "api-docs.png") });

        await page.GotoAsync(Url("/account"));
        await Assertions.Expect(page.GetByText("My API tokens")).ToBeVisibleAsync();
        await ShotAsync(page, "account");

        (await page.EvaluateAsync<bool>("() => window.__xss === undefined")).Should().BeTrue("log content never runs as script");
        _violations.Should().BeEmpty(
            "no dialog opened, the browser reported no CSP violation or script error, and axe found no serious accessibility violation: {0}",
            string.Join(Environment.NewLine, _violations));
    }

    [Fact]
    public async Task The_search_page_shows_an_event_among_its_surroundings_copies_it_as_json_and_pages_a_virtualised_table_with_chosen_columns_exports_it_zooms_by_dragging_and_completes_the_query()
    {
        // One event a second from one server, the seventh with a field of its own; and more events from another server than a first page holds.
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var lines = string.Join('\n', Enumerable.Range(0, 15).Select(i =>
            $$"""{"timestamp":"{{start.AddSeconds(i):O}}","level":"{{(i == 7 ? "error" : "info")}}","server":"ctx-1","message":"step {{i}}"{{(i == 7 ? ",\"region\":\"eu-west\"" : "")}}}"""));
        var bulk = string.Join('\n', Enumerable.Range(0, 230).Select(i =>
            $$"""{"timestamp":"{{start.AddSeconds(i):O}}","level":"{{(i % 10 == 0 ? "error" : "info")}}","server":"bulk-1","tenant_id":"t{{i % 3}}","message":"bulk {{i}}"}"""));
        (await _host.IngestAsync(lines + "\n" + bulk + "\n", "application/x-ndjson")).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("q=server:ctx-1 OR server:bulk-1") == 245, TimeSpan.FromSeconds(30), "the servers' events indexed");

        var page = await SignInAsync(TestUsers.AdminName, TestUsers.AdminPassword);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GotoAsync(Url("/search?q=" + Uri.EscapeDataString("server:ctx-1")));
        await Assertions.Expect(page.GetByTestId("total")).ToContainTextAsync("15 events");
        await ClickUntilAsync(page.Locator("tr", new() { HasText = "step 7" }).Last, page.GetByRole(AriaRole.Dialog, new() { Name = "Event" }));
        await Assertions.Expect(page.GetByTestId("extra-fields")).ToContainTextAsync("region");
        await Assertions.Expect(page.GetByTestId("extra-fields")).ToContainTextAsync("eu-west");
        await Assertions.Expect(page.GetByTestId("raw-line")).ToContainTextAsync("\"message\":\"step 7\"");

        await page.GetByRole(AriaRole.Button, new() { Name = "Surrounding events" }).ClickAsync();
        var around = page.GetByTestId("surrounding").Locator("tr");
        await Assertions.Expect(around).ToHaveCountAsync(11);
        (await around.AllInnerTextsAsync()).Select(t => t.Split("step ")[1].Trim()).Should().Equal("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
        await Assertions.Expect(page.GetByTestId("surrounding").Locator("tr[aria-current=true]")).ToContainTextAsync("step 7");

        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as JSON" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("copy-status")).ToHaveTextAsync("Copied the event as JSON.");
        var copied = System.Text.Json.JsonDocument.Parse(await page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).RootElement;
        copied.GetProperty("message").GetString().Should().Be("step 7");
        copied.GetProperty("server").GetString().Should().Be("ctx-1");
        copied.GetProperty("extra").GetProperty("region").GetString().Should().Be("eu-west");
        await ShotAsync(page, "search-surrounding");
        await page.Keyboard.PressAsync("Escape");

        // More hits than the first page: the table renders only the rows in view, loads the next page on demand, and
        // shows the columns the user chose, also after a reload.
        await page.GotoAsync(Url("/search?q=" + Uri.EscapeDataString("server:bulk-1")));
        await Assertions.Expect(page.GetByTestId("loaded")).ToHaveTextAsync("Showing 200 of 230");
        (await page.Locator(".results tbody tr").CountAsync()).Should().BeLessThan(100, "only the rows in view are rendered");
        await Assertions.Expect(page.Locator(".results tr.level-row-ERROR").First).ToBeVisibleAsync();
        var more = page.GetByRole(AriaRole.Button, new() { Name = "Load the next 1,000" });
        await ClickUntilAsync(more, page.GetByText("Showing 230 of 230"));
        await Assertions.Expect(more).ToHaveCountAsync(0);
        await page.GetByTestId("columns").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Tenant" }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator(".results th", new() { HasText = "Tenant" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".results th", new() { HasText = "Tenant" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".results td", new() { HasText = "t2" }).First).ToBeVisibleAsync();

        // The export of the current search, counted as it downloads, then saved.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        await Assertions.Expect(page.GetByTestId("export-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Exported 230 events \(\d+\.\d KB\) to saasmonitor-export\.csv\.$"));
        download.SuggestedFilename.Should().Be("saasmonitor-export.csv");
        var csv = await File.ReadAllLinesAsync(await download.PathAsync());
        csv.Should().HaveCount(231);
        csv[0].Should().StartWith("timestamp,level,");
        csv.Skip(1).Should().OnlyContain(line => line.Contains(",bulk-1,", StringComparison.Ordinal));
        await ShotAsync(page, "search-results");

        // Dragging across the histogram's first four bars narrows the range to them; the address holds the range.
        var bars = page.Locator(".histogram-bar");
        var first = (await bars.Nth(0).BoundingBoxAsync())!;
        var fourth = (await bars.Nth(3).BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(first.X + (first.Width / 2), first.Y + (first.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(fourth.X + (fourth.Width / 2), fourth.Y + (fourth.Height / 2), new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await page.WaitForURLAsync(url => url.Contains("&to=", StringComparison.Ordinal));
        var zoomed = await _host.TotalAsync(new Uri(page.Url).Query.TrimStart('?'));
        zoomed.Should().BeInRange(1, 229, "the first bars hold some of the events");
        await Assertions.Expect(page.GetByTestId("total")).ToContainTextAsync($"{zoomed:N0} events");
        await ShotAsync(page, "search-zoomed");

        // The word being typed completes to a field name, then to the field's values in the range; the syntax help opens.
        var query = page.Locator("[data-testid=query] input, input[data-testid=query]").First;
        await query.FillAsync("server:bulk-1 AND tena");
        await page.GetByTestId("completions").GetByRole(AriaRole.Button, new() { Name = "tenant_id:" }).ClickAsync();
        await page.GetByTestId("completions").GetByRole(AriaRole.Button, new() { Name = "tenant_id:\"t1\"" }).ClickAsync();
        await Assertions.Expect(query).ToHaveValueAsync("server:bulk-1 AND tenant_id:\"t1\" ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Query syntax help" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("syntax-help")).ToContainTextAsync("status_code:[500 TO 599]");
        await ShotAsync(page, "search-completion");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await query.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.Contains("tenant_id", StringComparison.Ordinal));
        var tenant = await _host.TotalAsync(new Uri(page.Url).Query.TrimStart('?'));
        tenant.Should().BeInRange(1, zoomed - 1, "one tenant of three in the zoomed range");
        await Assertions.Expect(page.GetByTestId("total")).ToContainTextAsync($"{tenant:N0} events");

        _violations.Should().BeEmpty(string.Join(Environment.NewLine, _violations));
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
        await ClickUntilAsync(page.GetByRole(AriaRole.Button, new() { Name = "Delete checkout.log" }), page.GetByRole(AriaRole.Dialog));

        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("cannot be undone");
        await ShotAsync(page, "files-delete");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("checkout.log deleted.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("files")).Not.ToContainTextAsync("checkout.log");
        await Eventually.HoldsAsync(async () => await _host.TotalAsync($"q=file_id:{checkout}&from=now-30d") == 0, TimeSpan.FromSeconds(30), "the deleted file's events gone");

        await page.GotoAsync(Url($"/dead-letters?file={orders}"));
        await Assertions.Expect(page.GetByTestId("dead-letters")).ToContainTextAsync("invalid-json");
        await Assertions.Expect(page.GetByTestId("dead-letters").Locator(".log-message")).ToContainTextAsync("<script>window.__xss=1</script>");
        await ClickUntilAsync(page.GetByTestId("dead-letters").Locator("tbody tr").First.GetByRole(AriaRole.Button), page.GetByTestId("dead-letter-detail"));

        await Assertions.Expect(page.GetByTestId("original-text")).ToContainTextAsync("broken <script>");
        await Assertions.Expect(page.GetByTestId("original-hex")).ToContainTextAsync("7b 22 6c 65");
        await ShotAsync(page, "dead-letter");
        await page.Keyboard.PressAsync("Escape");
        await page.GetByRole(AriaRole.Checkbox).First.CheckAsync();
        await page.GetByTestId("redrive-format").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "text", Exact = true }).ClickAsync();
        await page.GetByTestId("redrive").ClickAsync();
        await Assertions.Expect(page.GetByText("Re-sent 1 dead letter(s) to the parser.")).ToBeVisibleAsync();
        await Eventually.HoldsAsync(async () => await _host.TotalAsync($"q={Uri.EscapeDataString($"file_id:{orders} AND message:broken")}&from=now-30d") == 1, TimeSpan.FromSeconds(60), "the redriven record indexed");

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

        await ClickUntilAsync(page.GetByRole(AriaRole.Tab, new() { Name = "History" }), page.GetByTestId("alert-history"));
        await Assertions.Expect(page.GetByTestId("alert-history")).ToContainTextAsync("went from normal to firing");
        await ShotAsync(page, "alerts-history");

        await ClickUntilAsync(page.GetByRole(AriaRole.Tab, new() { Name = "Silences" }), page.GetByLabel("Comment"));
        await page.GetByLabel("Labels (service=billing, ...)").FillAsync("service=billing");
        await page.GetByLabel("Comment").FillAsync("deploy of billing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Silence" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("silences")).ToContainTextAsync("deploy of billing");
        await ShotAsync(page, "alerts-silences");

        await ClickUntilAsync(page.GetByRole(AriaRole.Tab, new() { Name = "Channels" }), page.GetByTestId("alert-channels"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Test to ops hook failed")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("alert-channels")).ToContainTextAsync("test failed");
        await ShotAsync(page, "alerts-channels");

        await page.GotoAsync(Url("/alerts/rules/new"));
        await InteractiveAsync(page);
        await page.GetByLabel("Name").FillAsync("checkout errors");
        await page.GetByLabel("Query (Lucene syntax)").FillAsync("service:checkout AND level:error");
        await page.GetByLabel("Window").FillAsync("1d");
        await page.GetByLabel("Threshold").FillAsync("2");
        await page.GetByLabel("Threshold").PressAsync("Tab");
        await page.GetByTestId("preview-rule").ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-summary")).ToContainTextAsync("1 firing", new() { Timeout = 30_000 });
        await ShotAsync(page, "alert-rule-editor");
        await page.GetByLabel("Query (Lucene syntax)").FillAsync("service:(checkout");
        await page.GetByTestId("save-rule").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-error")).ToBeVisibleAsync();
        await page.GetByLabel("Query (Lucene syntax)").FillAsync("service:checkout AND level:error");
        await page.GetByTestId("save-rule").ClickAsync();
        await page.WaitForURLAsync(Url("/alerts"));
        await Assertions.Expect(page.GetByTestId("alert-rules")).ToContainTextAsync("checkout errors");

        _violations.Should().BeEmpty(string.Join(Environment.NewLine, _violations));
    }

    [Fact]
    public async Task The_live_tail_states_its_sampling_and_stays_responsive_while_10000_events_per_second_arrive()
    {
        await using var busy = await InProcessHost.StartAsync();
        using var stop = new CancellationTokenSource();
        var feeding = FeedEventsAsync(busy, 10_000, stop.Token);
        var page = await SignInAsync(TestUsers.AdminName, TestUsers.AdminPassword, busy);
        await page.GotoAsync(Url("/live", busy));
        await Assertions.Expect(page.GetByTestId("sampling")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.WaitForTimeoutAsync(5_000);

        var answers = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var clicked = System.Diagnostics.Stopwatch.StartNew();
            await page.GetByTestId("pause").ClickAsync();
            // The answer time is reported, not asserted: on a shared 2-core machine it measures the machine's load too.
            await Assertions.Expect(page.GetByTestId("pause")).ToContainTextAsync(i % 2 == 0 ? "Resume" : "Pause", new() { Timeout = 30_000 });
            answers.Add(clicked.Elapsed.TotalMilliseconds);
        }

        var frames = await page.EvaluateAsync<double[]>(
            "() => new Promise(done => { const gaps = []; let last = performance.now(); const step = now => { gaps.push(now - last); last = now; gaps.length < 60 ? requestAnimationFrame(step) : done(gaps); }; requestAnimationFrame(step); })");
        var rows = await page.GetByTestId("live-rows").Locator("tbody tr").CountAsync();
        var status = await page.GetByTestId("live-status").TextContentAsync();
        answers.Sort();
        Array.Sort(frames);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"live tail under load: {status}; pause answered in {answers[answers.Count / 2]:0} ms median, {answers[^1]:0} ms worst; " +
            $"frame gaps {frames[frames.Length / 2]:0} ms median, {frames[^1]:0} ms worst; {rows} rows on the page");

        // What the user sees: the window, not the 2,000 rows below it, which change twice a second (axe checks the
        // live tail in the test that visits every page; here it would read rows that are replaced as it reads them).
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "live-tail-busy.png") });

        await stop.CancelAsync();
        var fed = await feeding;
        TestContext.Current.TestOutputHelper?.WriteLine($"events published to the events topic: {fed.Events:N0} in {fed.Seconds:0.0} s ({fed.Events / fed.Seconds:N0}/s)");

        rows.Should().BeLessThanOrEqualTo(2_000, "the page keeps a bounded buffer");
        _violations.Should().BeEmpty(string.Join(Environment.NewLine, _violations));
    }

    /// <summary>
    /// Publishes generated events to the events topic at <paramref name="perSecond"/>, as the parser does (the live
    /// tail's source), until <paramref name="ct"/> is cancelled: the page gets that rate whatever the parser could
    /// deliver on a loaded machine. Returns how many were published and over how long.
    /// </summary>
    private static async Task<(long Events, double Seconds)> FeedEventsAsync(InProcessHost host, int perSecond, CancellationToken ct)
    {
        var bus = host.Services.GetRequiredService<IMessageBus>();
        var topic = host.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Topics.Events;
        string[] levels = [LogLevels.Info, LogLevels.Info, LogLevels.Info, LogLevels.Warning, LogLevels.Error];

        // A second's worth of events, serialised once and published round and round: each id comes again every second,
        // as redelivered events do, and the page must show each once (the index keeps one copy of each).
        var messages = Enumerable.Range(0, perSecond).Select(n => new LogEvent
        {
            Id = $"live-load-{n}",
            Timestamp = DateTimeOffset.UtcNow,
            Level = levels[n % levels.Length],
            Service = "live-load",
            Endpoint = "/api/orders",
            StatusCode = 200,
            Message = $"order {n} handled",
        }).Select(e => new BusMessage(JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event)) { Key = Encoding.UTF8.GetBytes(e.Id), Headers = [MessageSchemas.Events.Header] }).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long sent = 0;
        while (!ct.IsCancellationRequested)
        {
            // Catch up with the rate since the start (at most a second behind), so a slow round is made up by the next.
            var due = (int)Math.Min((long)(clock.Elapsed.TotalSeconds * perSecond) - sent, perSecond);
            if (due > 0)
            {
                var first = (int)(sent % perSecond);
                await bus.ProduceAsync(topic, [.. messages.Skip(first).Concat(messages).Take(due)], CancellationToken.None);
                sent += due;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return (sent, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Waits until the page's live connection is up: the prerendered page takes no input before (its controls are disabled).</summary>
    private static Task InteractiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("fieldset[data-interactive=true]")).ToHaveCountAsync(1);

    /// <summary>Clicks <paramref name="target"/> until <paramref name="appears"/> shows: a prerendered page answers clicks once its live connection is up.</summary>
    private static async Task ClickUntilAsync(ILocator target, ILocator appears)
    {
        for (var attempt = 0; attempt < 40 && !await appears.IsVisibleAsync(); attempt++)
        {
            try
            {
                await target.ClickAsync(new() { Timeout = 1000 });
                await appears.WaitForAsync(new() { Timeout = 500 });
            }
            catch (Exception e) when (e is TimeoutException or PlaywrightException)
            {
                // Not answered yet (or the click landed before the connection): try again.
            }
        }

        await Assertions.Expect(appears).ToBeVisibleAsync();
    }

    private async Task<IPage> SignInAsync(string name, string password, InProcessHost? host = null)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url("/login", host));
        await page.GetByLabel("User name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/", host));
        return page;
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => _violations.Add("dialog: " + dialog.Message);
        page.PageError += (_, error) => _violations.Add("page error: " + error);
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == "/x")
            {
                _violations.Add("a request left for an image in log content: " + request.Url);
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _violations.Add("CSP: " + message.Text);
            }
        };
        return page;
    }

    private string Url(string path, InProcessHost? host = null) => new Uri((host ?? _host).BaseAddress, path).ToString();

    /// <summary>Saves a screenshot of the page and checks it with axe: no serious or critical accessibility violation.</summary>
    private async Task ShotAsync(IPage page, string name)
    {
        await page.WaitForTimeoutAsync(300);

        // From the top: a page scrolled down would be captured with its fixed app bar drawn across the middle.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
        var axe = await page.RunAxe();
        _violations.AddRange(axe.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{name}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}"));
    }
}
