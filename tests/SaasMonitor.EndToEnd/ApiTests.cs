using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// The HTTP API around the pipeline on one shared server: metrics, health, API documentation, saved searches and
/// history, search errors, single events, large uploads and chart data from a known ingest.
/// </summary>
public sealed class ApiTests(ChartHost fixture) : IClassFixture<ChartHost>
{
    private readonly InProcessHost _host = fixture.Host;

    [Fact]
    public async Task Metrics_expose_http_requests_latency_and_every_pipeline_stage()
    {
        (await _host.IngestAsync("{\"message\":\"fine\",\"service\":\"metrics\"}\n{\"message\": \"broken\n", "application/x-ndjson")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await _host.GetJsonAsync("/api/stats");

        var metrics = "";
        string[] expected =
        [
            """http_requests_total{method="GET",endpoint="/api/stats",status_code="200"}""",
            """http_requests_total{method="POST",endpoint="/api/ingest",status_code="202"}""",
            """http_request_latency_seconds_bucket{method="GET",endpoint="/api/stats",le="+Inf"}""",
            """http_request_latency_seconds_count{method="GET",endpoint="/api/stats"}""",
            """saasmon_events_out{stage="gateway"}""",
            """saasmon_events_in{stage="parser"}""",
            """saasmon_events_out{stage="parser"}""",
            """saasmon_events_failed{stage="parser"}""",
            """saasmon_events_in{stage="indexer"}""",
            """saasmon_events_out{stage="indexer"}""",
            """saasmon_events_in{stage="aggregator"}""",
            """saasmon_events_out{stage="aggregator"}""",
            """saasmon_batch_size_bucket{stage="parser",le="+Inf"}""",
            """saasmon_batch_duration_bucket{stage="indexer",le="+Inf"}""",
        ];
        await Eventually.HoldsAsync(
            async () =>
            {
                metrics = await _host.Client.GetStringAsync("/metrics");
                return expected.All(m => metrics.Contains(m + " ", StringComparison.Ordinal))
                    && Regex.IsMatch(metrics, """^saasmon_consumer_lag\{[^}]*group="aggregator"[^}]*\} \d+$""", RegexOptions.Multiline);
            },
            TimeSpan.FromSeconds(20),
            "every HTTP and pipeline series exported");

        SampleValue(metrics, """http_requests_total{method="GET",endpoint="/api/stats",status_code="200"}""").Should().BeGreaterThanOrEqualTo(1);
        SampleValue(metrics, """saasmon_events_failed{stage="parser"}""").Should().BeGreaterThanOrEqualTo(1, "the broken line was dead-lettered");
    }

    [Fact]
    public async Task Health_reports_every_engine_healthy_with_its_timing_and_the_consumer_lag_of_every_group()
    {
        JsonElement health = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                health = await _host.GetJsonAsync("/api/health");
                return health.GetProperty("consumer_lag").GetArrayLength() == 12;
            },
            TimeSpan.FromSeconds(20),
            "lag of 3 groups × 4 partitions sampled");

        health.GetProperty("status").GetString().Should().Be("healthy");
        var checks = health.GetProperty("checks");
        checks.EnumerateObject().Select(c => c.Name).Should().BeEquivalentTo("bus", "search", "kpi_store", "metadata_store", "disk");
        foreach (var check in checks.EnumerateObject())
        {
            check.Value.GetProperty("status").GetString().Should().Be("healthy", check.Name);
            check.Value.GetProperty("response_time_ms").GetDouble().Should().BeGreaterThanOrEqualTo(0, check.Name);
        }

        checks.GetProperty("search").GetProperty("detail").GetString().Should().MatchRegex(@"^\d+ events indexed$");
        var lag = health.GetProperty("consumer_lag").EnumerateArray().ToList();
        lag.Select(l => l.GetProperty("group").GetString()).Distinct().Should().BeEquivalentTo("parser", "indexer", "aggregator");
        lag.Should().OnlyContain(l => l.GetProperty("lag").GetInt64() >= 0 && l.GetProperty("partition").GetInt32() < 4);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Liveness_and_readiness_answer_healthy(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public async Task The_openapi_document_describes_every_api_route_the_app_maps()
    {
        var mapped = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => IsApiRoute(e.RoutePattern.RawText ?? ""))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m != "HEAD").Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();
        var doc = await _host.GetJsonAsync("/openapi/v1.json");
        var operations = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => op.Name is "get" or "post" or "put" or "patch" or "delete")
                .Select(op => (Route: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .ToList();

        mapped.Should().HaveCountGreaterThanOrEqualTo(24).And.Contain(["POST /api/upload", "GET /api/logs/{id}", "DELETE /api/saved-searches/{id}", "GET /api/charts/error-heatmap"]);
        operations.Select(o => o.Route).Should().BeEquivalentTo(mapped);
        operations.Where(o => !o.Operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            .Select(o => o.Route).Should().BeEmpty("every operation says what it does");
    }

    /// <summary>The routes of the API and of the shipper inputs (Graylog's, OpenTelemetry's, Loki's, Elasticsearch's), as opposed to the dashboard's pages.</summary>
    private static bool IsApiRoute(string route) =>
        route.StartsWith("/api/", StringComparison.Ordinal) || route is "/gelf" or "/v1/logs" or "/loki/api/v1/push" or "/es" || route.StartsWith("/es/", StringComparison.Ordinal)
        || route.EndsWith("/_bulk", StringComparison.Ordinal);

    [Fact]
    public async Task Saved_searches_are_created_listed_and_deleted()
    {
        using var created = await _host.Client.PostAsync("/api/saved-searches", Json(new { name = "  Login errors ", query = "level:ERROR AND endpoint:\"/api/login\"", filters = new { service = "auth" } }));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var saved = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = saved.GetProperty("id").GetString()!;
        created.Headers.Location!.ToString().Should().Be($"/api/saved-searches/{id}");
        saved.GetProperty("name").GetString().Should().Be("Login errors");

        var listed = (await _host.GetJsonAsync("/api/saved-searches")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        listed.GetProperty("query").GetString().Should().Be("level:ERROR AND endpoint:\"/api/login\"");
        listed.GetProperty("filters").GetProperty("service").GetString().Should().Be("auth");

        (await _host.Client.DeleteAsync($"/api/saved-searches/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _host.GetJsonAsync("/api/saved-searches")).EnumerateArray().Should().NotContain(s => s.GetProperty("id").GetString() == id);
        (await _host.Client.DeleteAsync($"/api/saved-searches/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_saved_search_without_a_name_is_refused_with_400()
    {
        using var response = await _host.Client.PostAsync("/api/saved-searches", Json(new { query = "level:ERROR" }));

        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest, "needs a name");
    }

    [Fact]
    public async Task Search_history_records_searches_newest_first_with_their_totals()
    {
        await _host.GetJsonAsync("/api/search?q=" + Uri.EscapeDataString("message:\"chart event\"") + "&service=charts");
        await _host.GetJsonAsync("/api/search?q=history-second&level=error,critical");

        var history = (await _host.GetJsonAsync("/api/search-history?limit=2")).EnumerateArray().ToList();

        history.Should().HaveCount(2);
        history[0].GetProperty("query").GetString().Should().Be("history-second");
        history[0].GetProperty("filters").GetProperty("level").GetString().Should().Be("ERROR,CRITICAL");
        history[1].GetProperty("query").GetString().Should().Be("message:\"chart event\"");
        history[1].GetProperty("total").GetInt64().Should().Be(ChartHost.Events.Length);
        history[0].GetProperty("at").GetDateTimeOffset().Should().BeOnOrAfter(history[1].GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_query_lucene_cannot_parse_is_refused_with_400_and_the_reason()
    {
        using var response = await _host.Client.GetAsync("/api/search?q=" + Uri.EscapeDataString("level:(ERROR"));

        var problem = await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest, "Cannot parse 'level:(ERROR'");
        problem.GetProperty("title").GetString().Should().Be("Invalid query");
    }

    [Fact]
    public async Task The_live_stream_pushes_each_matching_event_as_it_arrives_and_refuses_a_bad_query_with_the_reason()
    {
        await using var live = await LiveStream.OpenAsync(_host.Client, "service:live-api AND level:ERROR");
        var lines = string.Join('\n',
            """{"service":"live-api","level":"ERROR","message":"first failure <b>bold</b>"}""",
            """{"service":"live-api","level":"INFO","message":"not an error"}""",
            """{"service":"elsewhere","level":"ERROR","message":"another service"}""",
            """{"service":"live-api","level":"ERROR","message":"second failure"}""") + "\n";
        (await _host.IngestAsync(lines, "application/x-ndjson")).StatusCode.Should().Be(HttpStatusCode.Accepted);

        var events = await live.EventsAsync(2, TimeSpan.FromSeconds(30));

        events.Select(e => e.GetProperty("message").GetString()).Should().BeEquivalentTo("first failure <b>bold</b>", "second failure");
        events.Should().AllSatisfy(e => e.GetProperty("service").GetString().Should().Be("live-api"));
        using var bad = await _host.Client.GetAsync("/api/live?q=" + Uri.EscapeDataString("level:(ERROR"));
        await ShouldBeProblemAsync(bad, HttpStatusCode.BadRequest, "Cannot parse 'level:(ERROR'");
    }

    [Fact]
    public async Task An_unknown_sort_is_refused_with_400()
    {
        using var response = await _host.Client.GetAsync("/api/logs?sort=fastest");

        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest, "sort must be newest, oldest or slowest");
    }

    [Fact]
    public async Task One_event_is_found_by_its_id_and_a_missing_id_is_404()
    {
        var hit = (await _host.GetJsonAsync("/api/search?service=charts&sort=slowest&page_size=1")).GetProperty("hits")[0];
        var id = hit.GetProperty("id").GetString()!;

        var e = await _host.GetJsonAsync($"/api/logs/{Uri.EscapeDataString(id)}");

        e.GetProperty("id").GetString().Should().Be(id);
        e.GetProperty("response_time_ms").GetDouble().Should().Be(1100);
        e.GetProperty("endpoint").GetString().Should().Be("/api/b");
        using var missing = await _host.Client.GetAsync("/api/logs/0-999999-0");
        await ShouldBeProblemAsync(missing, HttpStatusCode.NotFound, "0-999999-0");
    }

    [Fact]
    public async Task An_upload_of_several_megabytes_of_csv_reports_its_exact_record_count_and_every_row_is_searchable()
    {
        const int rows = 36_000;
        var csv = new StringBuilder("timestamp,level,service,server,method,endpoint,status_code,response_time_ms,message\n");
        for (var i = 0; i < rows; i++)
        {
            var message = i % 10 == 0
                ? $"\"payment declined, \"\"card expired\"\"\nsecond line {i}\""
                : $"request {i} served from cache with a padded message to make the file bigger";
            csv.Append(CultureInfo.InvariantCulture, $"2022-06-01T{i / 3600 % 24:00}:{i / 60 % 60:00}:{i % 60:00}Z,{(i % 10 == 0 ? "ERROR" : "INFO")},bigcsv,prod-{i % 3},GET,/api/big/{i % 20},{(i % 10 == 0 ? 502 : 200)},{i % 997},{message}\n");
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        bytes.Length.Should().BeGreaterThan(3 * 1024 * 1024, "more than three raw records at the default 1 MiB ChunkBytes");

        using var response = await _host.UploadAsync("big.csv", bytes);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;

        JsonElement file = default;
        await Eventually.HoldsAsync(
            async () => (file = await _host.GetJsonAsync($"/api/files/{id}")).GetProperty("status").GetString() is "processed" or "error",
            TimeSpan.FromSeconds(90),
            "the big file processed");
        file.GetProperty("status").GetString().Should().Be("processed", file.ToString());
        file.GetProperty("records_count").GetInt64().Should().Be(rows);
        file.GetProperty("rejected_count").GetInt64().Should().Be(0);
        file.GetProperty("progress").GetDouble().Should().Be(100);
        file.GetProperty("file_size").GetInt64().Should().Be(bytes.Length);

        await Eventually.HoldsAsync(async () => await _host.TotalAsync($"file_id={id}") == rows, TimeSpan.FromSeconds(30), "every row searchable");
        (await _host.TotalAsync("service=bigcsv&status=5xx")).Should().Be(rows / 10);
        var multiLine = (await _host.GetJsonAsync("/api/search?q=" + Uri.EscapeDataString("message:\"second line 35990\""))).GetProperty("hits");
        multiLine.GetArrayLength().Should().Be(1);
        multiLine[0].GetProperty("message").GetString().Should().Be("payment declined, \"card expired\"\nsecond line 35990");
    }

    [Fact]
    public async Task An_upload_with_an_unsupported_extension_is_refused_with_415()
    {
        using var response = await _host.UploadAsync("report.xlsx", "not a log"u8.ToArray());

        await ShouldBeProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "'report.xlsx' is not .csv");
    }

    [Fact]
    public async Task Hourly_charts_match_a_known_ingest_in_a_time_window()
    {
        var perHour = (await ChartAsync("logs-per-hour")).EnumerateArray()
            .Select(b => (b.GetProperty("start").GetDateTimeOffset().Hour, b.GetProperty("count").GetInt64())).ToList();
        perHour.Should().Equal((10, 5L), (11, 7L), (12, 0L), (13, 2L));

        var errorsPerHour = (await ChartAsync("errors-per-hour")).EnumerateArray().Select(b => b.GetProperty("count").GetInt64());
        errorsPerHour.Should().Equal(2, 1, 0, 1);

        var heatmap = (await ChartAsync("error-heatmap")).EnumerateArray().ToList();
        heatmap.Should().HaveCount(168);
        heatmap.Where(c => c.GetProperty("errors").GetInt64() > 0)
            .Select(c => (c.GetProperty("day").GetString(), c.GetProperty("hour").GetInt32(), c.GetProperty("errors").GetInt64()))
            .Should().Equal(("wednesday", 10, 2L), ("wednesday", 11, 1L), ("wednesday", 13, 1L));
        (await _host.GetJsonAsync("/api/charts/error-heatmap")).GetProperty("data").GetArrayLength().Should().Be(168, "the default range is the last 7 days");
    }

    [Fact]
    public async Task Distribution_charts_match_a_known_ingest_in_a_time_window()
    {
        var levels = (await ChartAsync("levels")).EnumerateArray()
            .ToDictionary(t => t.GetProperty("term").GetString()!, t => t.GetProperty("count").GetInt64());
        levels.Should().BeEquivalentTo(new Dictionary<string, long> { ["INFO"] = 8, ["ERROR"] = 3, ["WARNING"] = 2, ["CRITICAL"] = 1 });

        var statuses = (await ChartAsync("status-codes")).EnumerateArray()
            .Select(s => (s.GetProperty("status_code").GetInt32(), s.GetProperty("count").GetInt64()));
        statuses.Should().Equal((200, 8L), (404, 2L), (500, 3L), (503, 1L));

        var top = (await ChartAsync("top-endpoints", "&limit=2")).EnumerateArray().ToList();
        top.Select(t => (t.GetProperty("endpoint").GetString(), t.GetProperty("count").GetInt64())).Should().Equal(("/api/a", 8L), ("/api/b", 3L));

        var slowest = (await ChartAsync("slowest-endpoints")).EnumerateArray().First();
        slowest.GetProperty("endpoint").GetString().Should().Be("/api/b");
        slowest.GetProperty("avg_response_ms").GetDouble().Should().BeApproximately(1000, 0.01);

        var byService = (await ChartAsync("error-rate-by-service")).EnumerateArray().Single();
        byService.GetProperty("service").GetString().Should().Be("charts");
        byService.GetProperty("error_rate_percent").GetDouble().Should().BeApproximately(100.0 * 4 / 14, 0.001);
    }

    private static async Task<JsonElement> ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailPart)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("detail").GetString().Should().Contain(detailPart);
        return problem;
    }

    private static long SampleValue(string metrics, string series) =>
        (long)double.Parse(Regex.Match(metrics, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private Task<JsonElement> ChartAsync(string name, string extra = "") => fixture.ChartAsync(name, extra);
}

/// <summary>One server for <see cref="ApiTests"/>, holding a known ingest on Wednesday 1 March 2023 for the chart tests.</summary>
public sealed class ChartHost : HostFixture
{
    /// <summary>(hour, endpoint, status, level, response time) per event.</summary>
    public static readonly (int Hour, string Endpoint, int Status, string Level, double Ms)[] Events =
    [
        (10, "/api/a", 200, "INFO", 20), (10, "/api/a", 200, "INFO", 30), (10, "/api/a", 200, "INFO", 40),
        (10, "/api/b", 500, "ERROR", 900), (10, "/api/b", 500, "ERROR", 1100),
        (11, "/api/a", 200, "INFO", 25), (11, "/api/a", 200, "INFO", 35), (11, "/api/a", 200, "INFO", 45), (11, "/api/a", 200, "INFO", 55),
        (11, "/api/b", 503, "ERROR", 1000), (11, "/api/c", 404, "WARNING", 10), (11, "/api/c", 404, "WARNING", 12),
        (13, "/api/d", 500, "CRITICAL", 300), (13, "/api/a", 200, "INFO", 50),
    ];

    private const string Window = "from=2023-03-01T00:00:00Z&to=2023-03-02T00:00:00Z";

    public async Task<JsonElement> ChartAsync(string name, string extra = "") =>
        (await Host.GetJsonAsync($"/api/charts/{name}?{Window}{extra}")).GetProperty("data");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var lines = Events.Select((e, i) => JsonSerializer.Serialize(new
        {
            timestamp = new DateTimeOffset(2023, 3, 1, e.Hour, i, 0, TimeSpan.Zero),
            level = e.Level,
            service = "charts",
            endpoint = e.Endpoint,
            status_code = e.Status,
            response_time_ms = e.Ms,
            message = $"chart event {i}",
        }));
        using var response = await Host.IngestAsync(string.Join('\n', lines), "application/x-ndjson");
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Eventually.HoldsAsync(
            async () => await Host.TotalAsync("service=charts") == Events.Length
                && (await ChartAsync("logs-per-hour")).EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()) == Events.Length,
            TimeSpan.FromSeconds(30),
            "the chart events searchable and counted");
    }
}
