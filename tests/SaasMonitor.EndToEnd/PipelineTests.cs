using System.Globalization;
using System.Net;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// The acceptance test of the all-in-one pipeline: every shared sample file is uploaded, and search, stats and chart
/// answers must equal what <see cref="ExpectedFigures"/> computes independently from the same files.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private static readonly string[] SeedFiles = ["sample_upload.csv", "sample_upload.json", "test_upload.csv", "test_upload.json"];
    private readonly ExpectedFigures _expected = new();
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await InProcessHost.StartAsync();
        var ids = new List<string>();
        foreach (var name in SeedFiles)
        {
            ids.Add(await UploadAsync(TestData.PathOf("seed-format", name)));
            if (name.EndsWith(".csv", StringComparison.Ordinal))
            {
                _expected.AddCsv(TestData.PathOf("seed-format", name));
            }
            else
            {
                _expected.AddJson(TestData.PathOf("seed-format", name));
            }
        }

        ids.Add(await UploadAsync(TestData.PathOf("apache", "apache_combined_10k.log")));
        _expected.AddApache(TestData.PathOf("apache", "apache_combined_10k.log"));

        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var id in ids)
                {
                    if ((await _host.GetJsonAsync($"/api/files/{id}")).GetProperty("status").GetString() != "processed")
                    {
                        return false;
                    }
                }

                return await _host.TotalAsync("") == _expected.Total
                    && (await _host.GetJsonAsync("/api/stats")).GetProperty("total_logs").GetInt64() == _expected.Total;
            },
            TimeSpan.FromSeconds(60),
            $"all {ids.Count} files processed, {_expected.Total} events searchable and counted");
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Every_uploaded_file_reports_its_records_and_no_rejections()
    {
        var files = await _host.GetJsonAsync("/api/files?page_size=50");
        files.GetProperty("total").GetInt64().Should().Be(5);
        var records = files.GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("records_count").GetInt64());
        records.Should().Be(_expected.Total);
        files.GetProperty("files").EnumerateArray().Should().OnlyContain(f => f.GetProperty("rejected_count").GetInt64() == 0 && f.GetProperty("progress").GetDouble() == 100);
    }

    [Fact]
    public async Task Search_counts_per_level_and_status_class_match_the_files()
    {
        foreach (var (level, count) in _expected.PerLevel)
        {
            (await _host.TotalAsync($"level={level}")).Should().Be(count, $"level {level}");
            (await _host.TotalAsync($"q=level:{level}")).Should().Be(count, $"the query level:{level}");
        }

        foreach (var statusClass in new[] { 2, 3, 4, 5 })
        {
            var expected = _expected.PerStatus.Where(p => p.Key / 100 == statusClass).Sum(p => p.Value);
            (await _host.TotalAsync($"status={statusClass}xx")).Should().Be(expected, $"status {statusClass}xx");
        }

        var loginErrors = await _host.TotalAsync("q=" + Uri.EscapeDataString("endpoint:\"/api/login\" AND level:ERROR"));
        loginErrors.Should().Be(_expected.Count("/api/login", "ERROR")).And.BeGreaterThan(0);
    }

    [Fact]
    public async Task Stats_match_the_files()
    {
        var stats = await _host.GetJsonAsync("/api/stats");
        stats.GetProperty("total_logs").GetInt64().Should().Be(_expected.Total);
        stats.GetProperty("error_count").GetInt64().Should().Be(_expected.Errors);
        stats.GetProperty("error_rate").GetDouble().Should().BeApproximately(_expected.ErrorRatePercent, 0.001);
        stats.GetProperty("distinct_users").GetInt64().Should().Be(_expected.DistinctUsers);
        var slowest = stats.GetProperty("slowest_endpoints")[0];
        slowest.GetProperty("endpoint").GetString().Should().Be(_expected.SlowestEndpoint.Endpoint);
        slowest.GetProperty("avg_response_ms").GetDouble().Should().BeApproximately(_expected.SlowestEndpoint.AverageMs, 0.01);
        stats.GetProperty("latest_error").GetProperty("level").GetString().Should().BeOneOf("ERROR", "CRITICAL");
    }

    [Fact]
    public async Task Charts_of_levels_and_status_codes_match_the_files()
    {
        var levels = (await _host.GetJsonAsync("/api/charts/levels")).GetProperty("data").EnumerateArray()
            .ToDictionary(t => t.GetProperty("term").GetString()!, t => t.GetProperty("count").GetInt32());
        levels.Should().BeEquivalentTo(_expected.PerLevel);

        var statuses = (await _host.GetJsonAsync("/api/charts/status-codes")).GetProperty("data").EnumerateArray()
            .ToDictionary(t => t.GetProperty("status_code").GetInt32(), t => t.GetProperty("count").GetInt32());
        statuses.Should().BeEquivalentTo(_expected.PerStatus);

        var hourly = (await _host.GetJsonAsync("/api/charts/logs-per-hour?from=2015-05-17T00:00:00Z&to=2015-05-21T00:00:00Z")).GetProperty("data");
        hourly.EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()).Should().Be(10_000, "every Apache line falls in 17-20 May 2015");
    }

    [Fact]
    public async Task Search_pages_and_cursor_walk_every_event_once()
    {
        var seen = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await _host.GetJsonAsync("/api/search?page_size=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            foreach (var hit in page.GetProperty("hits").EnumerateArray())
            {
                seen.Add(hit.GetProperty("id").GetString()!).Should().BeTrue("each event appears once");
            }

            cursor = page.TryGetProperty("next_cursor", out var c) ? c.GetString() : null;
        }
        while (cursor is not null);

        seen.Should().HaveCount(_expected.Total);
    }

    [Fact]
    public async Task Export_is_csv_with_a_row_per_event()
    {
        var csv = await _host.Client.GetStringAsync("/api/export?level=ERROR");
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows[0].Should().StartWith("timestamp,level,");
        rows.Length.Should().Be(1 + _expected.PerLevel.GetValueOrDefault("ERROR"));
    }

    [Fact]
    public async Task Deleting_a_file_removes_its_events_from_search()
    {
        var files = (await _host.GetJsonAsync("/api/files?page_size=50")).GetProperty("files").EnumerateArray()
            .Single(f => f.GetProperty("filename").GetString() == "test_upload.csv");
        var id = files.GetProperty("id").GetString()!;
        (await _host.TotalAsync($"file_id={id}")).Should().Be(3);
        (await _host.Client.GetStringAsync($"/api/files/{id}/download")).Should().Be(await File.ReadAllTextAsync(TestData.PathOf("seed-format", "test_upload.csv")));

        using var response = await _host.Client.DeleteAsync($"/api/files/{id}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _host.TotalAsync($"file_id={id}")).Should().Be(0);
        (await _host.Client.GetAsync($"/api/files/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<string> UploadAsync(string path)
    {
        using var response = await _host.UploadAsync(Path.GetFileName(path), await File.ReadAllBytesAsync(path));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }
}
