using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Elasticsearch;
using SaasMonitor.Tests.Contracts;
using static SaasMonitor.Tests.Conformance.SearchTestEvents;

namespace SaasMonitor.Tests.Search;

/// <summary>
/// What the Elasticsearch search store sends, checked against Elasticsearch's documented REST API, and how it reads
/// Elasticsearch's documented answers, through the official client against a recording double on a loopback port.
/// The answers are written as the API reference documents them (with <c>typed_keys</c>, which the client asks for).
/// </summary>
public sealed class ElasticsearchContractTests : IAsyncLifetime
{
    private const string Day1Index = "saasmon-events-2024.03.10";

    private FakeElasticsearch _es = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _es = await FakeElasticsearch.StartAsync(Ct);
        _es.Answer("PUT", "/_index_template/saasmon-events", (200, """{"acknowledged":true}"""));
    }

    public async ValueTask DisposeAsync() => await _es.DisposeAsync();

    private ElasticsearchSearchStore Store(int bulkAttempts = 3)
    {
        var options = new ElasticsearchOptions { Url = _es.Url, BulkAttempts = bulkAttempts, RetryBackoff = TimeSpan.FromMilliseconds(1) };
        return new ElasticsearchSearchStore(ElasticsearchRegistration.CreateClient(options), options, TimeProvider.System);
    }

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private static string Source(LogEvent e) => JsonSerializer.Serialize(e, LogEventJson.Event);

    private static string Created(string id) =>
        $$$"""{"index":{"_index":"{{{Day1Index}}}","_id":"{{{id}}}","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}""";

    [Fact]
    public async Task The_first_write_puts_the_index_template_with_the_reference_mapping()
    {
        _es.Answer("POST", "/_bulk", (200, $$$"""{"took":3,"errors":false,"items":[{{{Created("e1")}}}]}"""));

        await Store().UpsertAsync([Catalogue()[0]], Ct);

        var template = Json(_es.RequestsTo("PUT", "/_index_template/saasmon-events").Should().ContainSingle().Subject.Body);
        template["index_patterns"]!.ToJsonString().Should().Contain("saasmon-events-*");
        template["priority"]!.GetValue<long>().Should().BeGreaterThan(100, "above the built-in logs-*-* template");
        var settings = template["template"]!["settings"]!;
        settings.ToJsonString().Should().Be(
            """{"analysis":{"normalizer":{"level":{"filter":["uppercase"],"type":"custom"}}},"auto_expand_replicas":"0-1","number_of_shards":1,"refresh_interval":"1s"}""");
        var mappings = template["template"]!["mappings"]!;
        mappings["dynamic"]!.ToJsonString().Should().BeOneOf("false", "\"false\"");
        var p = mappings["properties"]!;
        p["id"]!["type"]!.GetValue<string>().Should().Be("keyword");
        p["timestamp"]!["type"]!.GetValue<string>().Should().Be("date");
        p["@timestamp"]!["type"]!.GetValue<string>().Should().Be("alias");
        p["@timestamp"]!["path"]!.GetValue<string>().Should().Be("timestamp");
        p["level"]!["type"]!.GetValue<string>().Should().Be("keyword");
        p["level"]!["normalizer"]!.GetValue<string>().Should().Be("level");
        p["message"]!["type"]!.GetValue<string>().Should().Be("text");
        p["message"]!["fields"]!["keyword"]!["type"]!.GetValue<string>().Should().Be("keyword");
        p["status_code"]!["type"]!.GetValue<string>().Should().Be("integer");
        p["response_time_ms"]!["type"]!.GetValue<string>().Should().Be("double");
        p["client_ip"]!["type"]!.GetValue<string>().Should().Be("ip");
        foreach (var keyword in new[] { "service", "server", "endpoint", "method", "user_id", "tenant_id", "trace_id", "source", "file_id" })
        {
            p[keyword]!["type"]!.GetValue<string>().Should().Be("keyword", keyword);
        }
    }

    [Fact]
    public async Task A_bulk_write_is_NDJSON_of_index_actions_under_each_events_id_and_day()
    {
        var events = new[] { Catalogue()[0], Event("late", Day1.AddDays(1).AddHours(3)) };
        var json = events.Select(e => (ReadOnlyMemory<byte>)JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event)).ToList();
        _es.Answer("POST", "/_bulk", (200, $$$"""{"took":3,"errors":false,"items":[{{{Created("e1")}}},{{{Created("late").Replace(Day1Index, "saasmon-events-2024.03.11", StringComparison.Ordinal)}}}]}"""));

        var rejected = await Store().UpsertAsync(events, json, Ct);

        rejected.Should().BeEmpty();
        var bulk = _es.RequestsTo("POST", "/_bulk").Should().ContainSingle().Subject;
        bulk.Path.Should().Be("/_bulk");
        bulk.Lines.Should().HaveCount(4);
        Json(bulk.Lines[0]).ToJsonString().Should().Be($$$"""{"index":{"_id":"e1","_index":"{{{Day1Index}}}"}}""");
        bulk.Lines[1].Should().Be(Source(events[0]), "the source is the events topic's JSON, byte for byte");
        Json(bulk.Lines[2])["index"]!["_index"]!.GetValue<string>().Should().Be("saasmon-events-2024.03.11");
        Json(bulk.Lines[2])["index"]!["_id"]!.GetValue<string>().Should().Be("late");
    }

    [Fact]
    public async Task Each_bulk_item_is_handled_429_retried_409_done_400_rejected_with_the_reason()
    {
        var events = Catalogue().Take(4).ToList();
        _es.Answer("POST", "/_bulk",
            (200, $$$"""
            {"took":486,"errors":true,"items":[
              {{{Created("e1")}}},
              {"index":{"_index":"{{{Day1Index}}}","_id":"e2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1048576, max_coordinating_and_primary_bytes=0]"} } },
              {"index":{"_index":"{{{Day1Index}}}","_id":"e3","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[e3]: version conflict, document already exists (current version [1])","index_uuid":"aAsFqTI0Tc2W0LCWgPNrOA","shard":"0","index":"{{{Day1Index}}}"} } },
              {"index":{"_index":"{{{Day1Index}}}","_id":"e4","status":400,"error":{"type":"document_parsing_exception","reason":"[1:74] failed to parse field [status_code] of type [integer] in document with id 'e4'. Preview of field's value: 'abc'","caused_by":{"type":"number_format_exception","reason":"For input string: \"abc\""} } } }
            ]}
            """),
            (200, $$$"""{"took":2,"errors":false,"items":[{{{Created("e2")}}}]}"""));

        var rejected = await Store().UpsertAsync(events, Ct);

        var bulks = _es.RequestsTo("POST", "/_bulk");
        bulks.Should().HaveCount(2);
        bulks[1].Lines.Should().HaveCount(2, "only the event answered 429 is sent again");
        Json(bulks[1].Lines[0])["index"]!["_id"]!.GetValue<string>().Should().Be("e2");
        rejected.Should().ContainSingle().Which.Should().Be(new RejectedEvent(
            3, "400 document_parsing_exception: [1:74] failed to parse field [status_code] of type [integer] in document with id 'e4'. Preview of field's value: 'abc' (number_format_exception: For input string: \"abc\")"));
    }

    [Fact]
    public async Task Items_still_failing_after_every_attempt_fail_the_write_so_nothing_past_them_is_committed()
    {
        _es.Answer("POST", "/_bulk", (200, $$$"""
            {"took":1,"errors":true,"items":[{"index":{"_index":"{{{Day1Index}}}","_id":"e1","status":503,"error":{"type":"unavailable_shards_exception","reason":"[saasmon-events-2024.03.10][0] primary shard is not active Timeout: [1m]"} } }]}
            """));

        var write = () => Store(bulkAttempts: 3).UpsertAsync([Catalogue()[0]], Ct);

        (await write.Should().ThrowAsync<SearchUnavailableException>()).Which.Message.Should().Contain("unavailable_shards_exception").And.Contain("3 attempts");
        _es.RequestsTo("POST", "/_bulk").Should().HaveCount(3);
    }

    [Fact]
    public async Task A_whole_bulk_answered_429_is_sent_again()
    {
        _es.Answer("POST", "/_bulk",
            (429, """{"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution"}],"type":"es_rejected_execution_exception","reason":"rejected execution"},"status":429}"""),
            (200, $$$"""{"took":2,"errors":false,"items":[{{{Created("e1")}}}]}"""));

        var rejected = await Store().UpsertAsync([Catalogue()[0]], Ct);

        rejected.Should().BeEmpty();
        _es.RequestsTo("POST", "/_bulk").Should().HaveCount(2);
    }

    private static string Hit(LogEvent e, string sort) =>
        $$$"""{"_index":"{{{Day1Index}}}","_id":"{{{e.Id}}}","_score":null,"_source":{{{Source(e)}}},"sort":{{{sort}}}}""";

    private static string Hits(long total, params string[] hits) =>
        $$$"""{"took":5,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":{{{total}}},"relation":"eq"},"max_score":null,"hits":[{{{string.Join(',', hits)}}}]}}""";

    private static string PitHits(string pit, long total, params string[] hits) =>
        Hits(total, hits).Insert(1, $"\"pit_id\":\"{pit}\",");

    [Fact]
    public async Task A_search_is_a_query_string_with_filters_sorted_by_time_and_id()
    {
        var e = Catalogue();
        _es.Answer("POST", "/_search", (200, Hits(6, Hit(e[5], "[1710065100000,\"e6\"]"), Hit(e[4], "[1710064800000,\"e5\"]"), Hit(e[3], "[1710064500000,\"e4\"]"))));

        var page = await Store().SearchAsync(new SearchRequest(new SearchQuery
        {
            Text = "endpoint:/api/users* AND level:error",
            Levels = ["warn", "ERROR"],
            StatusClasses = [5],
            From = Day1,
            To = Day1.AddDays(1),
        }) { Size = 2 }, Ct);

        var request = _es.RequestsTo("POST", "/_search").Should().ContainSingle().Subject;
        request.Path.Should().Be("/saasmon-events-*/_search");
        var body = Json(request.Body);
        body["size"]!.GetValue<int>().Should().Be(3, "one more than the page tells whether another follows");
        body["from"]!.GetValue<int>().Should().Be(0);
        body["track_total_hits"]!.GetValue<bool>().Should().BeTrue();
        var queryString = body["query"]!["bool"]!["must"]!["query_string"]!;
        queryString["query"]!.GetValue<string>().Should().Be(@"endpoint:\/api\/users* AND level:error");
        queryString["fields"]!.AsArray().Select(f => f!.GetValue<string>()).Should().Equal("message", "endpoint", "server");
        queryString["default_operator"]!.GetValue<string>().Should().BeOneOf("or", "OR");
        var filters = body["query"]!["bool"]!["filter"]!.ToJsonString();
        filters.Should().Contain("""{"terms":{"level":["WARNING","ERROR"]}}""");
        filters.Should().Contain("\"status_code\":{\"gte\":500").And.Contain("\"lte\":599");
        filters.Should().Contain("\"timestamp\":{\"gte\":1710028800000").And.Contain("\"lt\":1710115200000");
        body["sort"]!.ToJsonString().Should().Be(
            """[{"timestamp":{"missing":"_last","order":"desc","unmapped_type":"date"}},{"id":{"missing":"_last","order":"desc","unmapped_type":"keyword"}}]""");
        page.Total.Should().Be(6);
        page.Hits.Should().Equal(e[5], e[4]);
        page.NextCursor.Should().NotBeNull();
    }

    [Fact]
    public async Task The_next_page_reads_a_point_in_time_with_search_after_and_the_last_page_closes_it()
    {
        var e = Catalogue();
        const string pit = "46ToAwMDaWR5BXV1aWQyKwZub2RlXzMAAAAAAAAAACoBYwADaWR4BXV1aWQxAgZub2RlXzEAAAAAAAAAAAEBYQADaWR5BXV1aWQyKgZub2RlXzIAAAAAAAAAAAwBYgACBXV1aWQyAAAFdXVpZDEAAQltYXRjaF9hbGw_gAAAAA==";
        _es.Answer("POST", "/_search",
            (200, Hits(3, Hit(e[5], "[1710065100000,\"e6\"]"), Hit(e[4], "[1710064800000,\"e5\"]"))),
            (200, PitHits(pit, 3, Hit(e[3], "[1710064500000,\"e4\"]"))));
        _es.Answer("POST", "/_pit", (200, $$$"""{"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"id":"{{{pit}}}"}"""));
        _es.Answer("DELETE", "/_pit", (200, """{"succeeded":true,"num_freed":1}"""));
        var store = Store();

        var first = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Size = 1 }, Ct);
        var second = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Size = 1, After = first.NextCursor }, Ct);

        var open = _es.RequestsTo("POST", "/_pit").Should().ContainSingle().Subject;
        open.Path.Should().Be("/saasmon-events-*/_pit");
        open.Query.Should().Contain("keep_alive=2m");
        var search = _es.RequestsTo("POST", "/_search")[1];
        search.Path.Should().Be("/_search", "a search over a point in time names no index");
        var body = Json(search.Body);
        body["pit"]!["id"]!.GetValue<string>().Should().Be(pit);
        body["pit"]!["keep_alive"]!.GetValue<string>().Should().Be("2m");
        body["search_after"]!.ToJsonString().Should().Be("[1710065100000,\"e6\"]");
        body["from"].Should().BeNull("search_after and from exclude each other");
        second.Hits.Should().Equal(e[3]);
        second.NextCursor.Should().BeNull();
        Json(_es.RequestsTo("DELETE", "/_pit").Should().ContainSingle().Subject.Body)["id"]!.GetValue<string>().Should().Be(pit);
    }

    [Fact]
    public async Task An_expired_point_in_time_is_replaced_and_the_walk_goes_on_from_the_same_hit()
    {
        var e = Catalogue();
        _es.Answer("POST", "/_search",
            (200, Hits(6, Hit(e[5], "[1710065100000,\"e6\"]"), Hit(e[4], "[1710064800000,\"e5\"]"))),
            (200, PitHits("pit-1", 6, Hit(e[4], "[1710064800000,\"e5\"]"), Hit(e[3], "[1710064500000,\"e4\"]"))),
            (404, """
            {"error":{"root_cause":[{"type":"search_context_missing_exception","reason":"No search context found for id [7]"}],"type":"search_phase_execution_exception","reason":"all shards failed","phase":"query","grouped":true,"failed_shards":[{"shard":-1,"index":null,"reason":{"type":"search_context_missing_exception","reason":"No search context found for id [7]"}}]},"status":404}
            """),
            (200, PitHits("pit-2", 6, Hit(e[3], "[1710064500000,\"e4\"]"), Hit(e[2], "[1710064200000,\"e3\"]"))));
        _es.Answer("POST", "/_pit", (200, """{"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"id":"pit-1"}"""), (200, """{"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"id":"pit-2"}"""));
        var store = Store();

        var first = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Size = 1 }, Ct);
        var second = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Size = 1, After = first.NextCursor }, Ct);
        var third = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Size = 1, After = second.NextCursor }, Ct);

        second.Hits.Should().Equal(e[4]);
        third.Hits.Should().Equal(e[3]);
        _es.RequestsTo("POST", "/_pit").Should().HaveCount(2);
        var searches = _es.RequestsTo("POST", "/_search");
        Json(searches[2].Body)["pit"]!["id"]!.GetValue<string>().Should().Be("pit-1", "the cursor carries the point in time");
        Json(searches[3].Body)["pit"]!["id"]!.GetValue<string>().Should().Be("pit-2");
        Json(searches[3].Body)["search_after"]!.ToJsonString().Should().Be("[1710064800000,\"e5\"]");
    }

    [Fact]
    public async Task Slowest_first_sorts_by_response_time_with_missing_last_then_time_and_id()
    {
        _es.Answer("POST", "/_search", (200, Hits(0)));

        await Store().SearchAsync(new SearchRequest(new SearchQuery()) { Sort = SearchSort.SlowestFirst }, Ct);

        Json(_es.RequestsTo("POST", "/_search").Single().Body)["sort"]!.ToJsonString().Should().Be(
            """[{"response_time_ms":{"missing":"_last","order":"desc","unmapped_type":"double"}},{"timestamp":{"missing":"_last","order":"desc","unmapped_type":"date"}},{"id":{"missing":"_last","order":"desc","unmapped_type":"keyword"}}]""");
    }

    [Fact]
    public async Task A_cursor_of_another_sort_or_not_a_cursor_is_an_invalid_query()
    {
        var store = Store();

        var garbage = () => store.SearchAsync(new SearchRequest(new SearchQuery()) { After = "not a cursor!" }, Ct);
        var otherSort = () => store.SearchAsync(new SearchRequest(new SearchQuery()) { Sort = SearchSort.SlowestFirst, After = "eyJzIjowLCJhIjpbMSwieCJdfQ" }, Ct);

        await garbage.Should().ThrowAsync<InvalidQueryException>();
        await otherSort.Should().ThrowAsync<InvalidQueryException>();
        _es.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Bad_syntax_answered_400_is_an_invalid_query_with_elasticsearchs_reason()
    {
        _es.Answer("POST", "/_search", (400, """
            {"error":{"root_cause":[{"type":"query_shard_exception","reason":"Failed to parse query [level:(ERROR]","index_uuid":"B0Fx5UoAQ9mYwDHVT4ycZA","index":"saasmon-events-2024.03.10"}],
            "type":"search_phase_execution_exception","reason":"all shards failed","phase":"query","grouped":true,
            "failed_shards":[{"shard":0,"index":"saasmon-events-2024.03.10","node":"g4d1BsJaQfOYqkXv7bJm9Q","reason":{"type":"query_shard_exception","reason":"Failed to parse query [level:(ERROR]","index_uuid":"B0Fx5UoAQ9mYwDHVT4ycZA","index":"saasmon-events-2024.03.10","caused_by":{"type":"parse_exception","reason":"Cannot parse 'level:(ERROR': Encountered \"<EOF>\" at line 1, column 12."}}}],
            "caused_by":{"type":"parse_exception","reason":"Cannot parse 'level:(ERROR': Encountered \"<EOF>\" at line 1, column 12."}},"status":400}
            """));

        var search = () => Store().SearchAsync(new SearchRequest(new SearchQuery { Text = "level:(ERROR" }), Ct);

        (await search.Should().ThrowAsync<InvalidQueryException>()).Which.Message.Should().StartWith("Cannot parse 'level:(ERROR'");
    }

    [Fact]
    public async Task Terms_ask_for_a_terms_aggregation_most_first_then_by_value_and_read_its_buckets()
    {
        _es.Answer("POST", "/_search", (200, """
            {"took":2,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":6,"relation":"eq"},"max_score":null,"hits":[]},
             "aggregations":{"sterms#a":{"doc_count_error_upper_bound":0,"sum_other_doc_count":1,"buckets":[{"key":"ERROR","doc_count":2},{"key":"CRITICAL","doc_count":1}]}}}
            """));

        var terms = await Store().TermsAsync(new SearchQuery { Servers = ["web-02"] }, LogFields.Level, 2, Ct);

        var body = Json(_es.RequestsTo("POST", "/_search").Single().Body);
        body["size"]!.GetValue<int>().Should().Be(0);
        body["aggregations"]!["a"]!["terms"]!.ToJsonString().Should().Be("""{"field":"level","order":[{"_count":"desc"},{"_key":"asc"}],"size":2}""");
        terms.Should().Equal(new TermCount("ERROR", 2), new TermCount("CRITICAL", 1));
    }

    [Fact]
    public async Task Status_code_terms_are_read_from_long_buckets()
    {
        _es.Answer("POST", "/_search", (200, """
            {"took":2,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":6,"relation":"eq"},"max_score":null,"hits":[]},
             "aggregations":{"lterms#a":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":200,"doc_count":2},{"key":404,"doc_count":1}]}}}
            """));

        var terms = await Store().TermsAsync(new SearchQuery(), LogFields.StatusCode, 2, Ct);

        terms.Should().Equal(new TermCount("200", 2), new TermCount("404", 1));
    }

    [Fact]
    public async Task The_date_histogram_uses_a_fixed_interval_without_empty_buckets()
    {
        _es.Answer("POST", "/_search", (200, """
            {"took":2,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":4,"relation":"eq"},"max_score":null,"hits":[]},
             "aggregations":{"date_histogram#a":{"buckets":[{"key_as_string":"2024-03-10T10:00:00.000Z","key":1710064800000,"doc_count":3},{"key_as_string":"2024-03-10T12:00:00.000Z","key":1710072000000,"doc_count":1}]}}}
            """));

        var buckets = await Store().DateHistogramAsync(new SearchQuery(), TimeSpan.FromHours(1), Ct);

        var histogram = Json(_es.RequestsTo("POST", "/_search").Single().Body)["aggregations"]!["a"]!["date_histogram"]!;
        histogram["field"]!.GetValue<string>().Should().Be("timestamp");
        histogram["fixed_interval"]!.GetValue<string>().Should().Be("3600000ms");
        histogram["min_doc_count"]!.GetValue<int>().Should().Be(1);
        buckets.Should().Equal(new TimeBucket(Day1.AddHours(10), 3), new TimeBucket(Day1.AddHours(12), 1));
    }

    [Fact]
    public async Task Count_and_delete_by_query_send_the_same_query_and_read_the_figures()
    {
        _es.Answer("POST", "/_count", (200, """{"count":2,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}"""));
        _es.Answer("POST", "/_delete_by_query", (200, """
            {"took":147,"timed_out":false,"total":2,"deleted":2,"batches":1,"version_conflicts":0,"noops":0,"retries":{"bulk":0,"search":0},"throttled_millis":0,"requests_per_second":-1.0,"throttled_until_millis":0,"failures":[]}
            """));
        var store = Store();

        var count = await store.CountAsync(new SearchQuery { FileId = "file-1" }, Ct);
        var deleted = await store.DeleteAsync(new SearchQuery { FileId = "file-1" }, Ct);

        count.Should().Be(2);
        deleted.Should().Be(2);
        var delete = _es.RequestsTo("POST", "/_delete_by_query").Single();
        delete.Path.Should().Be("/saasmon-events-*/_delete_by_query");
        delete.Query.Should().Contain("refresh=true").And.Contain("conflicts=proceed");
        Json(delete.Body)["query"]!.ToJsonString().Should().Be(Json(_es.RequestsTo("POST", "/_count").Single().Body)["query"]!.ToJsonString())
            .And.Contain("""{"terms":{"file_id":["file-1"]}}""");
    }

    [Fact]
    public async Task Retention_deletes_whole_earlier_days_and_the_part_of_the_cutoff_day_before_it()
    {
        _es.Answer("GET", "/saasmon-events-*", (200, """
            {"saasmon-events-2024.03.09":{"aliases":{}},"saasmon-events-2024.03.10":{"aliases":{}},"saasmon-events-2024.03.11":{"aliases":{}}}
            """));
        _es.Answer("DELETE", "/saasmon-events-2024.03.09", (200, """{"acknowledged":true}"""));
        _es.Answer("POST", "/_delete_by_query", (200, """{"took":5,"timed_out":false,"total":1,"deleted":1,"batches":1,"version_conflicts":0,"noops":0,"retries":{"bulk":0,"search":0},"throttled_millis":0,"requests_per_second":-1.0,"throttled_until_millis":0,"failures":[]}"""));

        await Store().DeleteOlderThanAsync(Day1.AddHours(12), Ct);

        _es.RequestsTo("GET", "/saasmon-events-*").Should().ContainSingle().Which.Query.Should().Contain("features=aliases");
        _es.RequestsTo("DELETE", "/saasmon-events-2024.03.09").Should().ContainSingle();
        var partial = _es.RequestsTo("POST", "/_delete_by_query").Should().ContainSingle().Subject;
        partial.Path.Should().Be("/saasmon-events-2024.03.10/_delete_by_query");
        Json(partial.Body)["query"]!.ToJsonString().Should().Be("""{"range":{"timestamp":{"lt":1710072000000}}}""");
        _es.Requests.Should().NotContain(r => r.Path.Contains("2024.03.11", StringComparison.Ordinal) && r.Method == "DELETE");
    }

    [Fact]
    public async Task Get_finds_an_event_by_its_id_field()
    {
        var e2 = Catalogue()[1];
        _es.Answer("POST", "/_search", (200, Hits(1, Hit(e2, "[1710064800000,\"e2\"]"))));

        var found = await Store().GetAsync("e2", Ct);

        found.Should().BeEquivalentTo(e2);
        Json(_es.RequestsTo("POST", "/_search").Single().Body)["query"]!.ToJsonString().Should().Be("""{"term":{"id":{"value":"e2"}}}""");
    }

    [Fact]
    public async Task Cluster_health_is_reported_yellow_as_degraded_with_its_figures()
    {
        _es.Answer("GET", "/_cluster/health", (200, """
            {"cluster_name":"saasmon","status":"yellow","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":3,"active_shards":3,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":1,"unassigned_primary_shards":0,"delayed_unassigned_shards":0,"number_of_pending_tasks":0,"number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":75.0}
            """));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["SaasMonitor:Elasticsearch:Url"] = _es.Url;
        builder.AddElasticsearchSearch();
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "search_cluster", Ct);

        var entry = report.Entries["search_cluster"];
        entry.Status.Should().Be(HealthStatus.Degraded);
        entry.Description.Should().Be("cluster 'saasmon' yellow: 1 nodes, 3 active shards, 1 unassigned");
    }

    [Fact]
    public async Task An_unreachable_cluster_is_reported_down()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["SaasMonitor:Elasticsearch:Url"] = _es.Url;
        builder.AddElasticsearchSearch();
        using var host = builder.Build();
        await _es.DisposeAsync();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "search_cluster", Ct);

        report.Entries["search_cluster"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["search_cluster"].Description.Should().StartWith("elasticsearch is unreachable");
    }
}
