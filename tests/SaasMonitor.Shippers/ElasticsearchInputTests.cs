using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;

namespace SaasMonitor.Shippers;

/// <summary>The Elasticsearch-compatible input against Elastic's official .NET client, and the handshake shippers make.</summary>
public sealed class ElasticsearchInputTests : IAsyncLifetime
{
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await InProcessHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_elastic_client_bulk_indexes_nested_and_dotted_ecs_documents_as_events()
    {
        var app = App();
        var client = new ElasticsearchClient(new ElasticsearchClientSettings(new Uri(_host.BaseAddress, "/es/")));
        var documents = new List<Dictionary<string, object>>
        {
            new()
            {
                ["@timestamp"] = "2024-03-14T13:45:00.123Z",
                ["message"] = "Payment failed",
                ["log"] = new Dictionary<string, object> { ["level"] = "error" },
                ["service"] = new Dictionary<string, object> { ["name"] = app },
                ["host"] = new Dictionary<string, object> { ["name"] = "web-1" },
                ["http"] = new Dictionary<string, object>
                {
                    ["request"] = new Dictionary<string, object> { ["method"] = "post" },
                    ["response"] = new Dictionary<string, object> { ["status_code"] = 503 },
                },
                ["url"] = new Dictionary<string, object> { ["path"] = "/api/pay" },
                ["event"] = new Dictionary<string, object> { ["duration"] = 1_500_000 },
                ["user"] = new Dictionary<string, object> { ["id"] = "u7" },
                ["trace"] = new Dictionary<string, object> { ["id"] = "4bf92f3577b34da6a3ce929d0e0e4736" },
                ["error"] = new Dictionary<string, object> { ["stack_trace"] = "System.InvalidOperationException: card declined\n   at Pay()" },
            },
            new()
            {
                ["@timestamp"] = "2024-03-14T13:45:01Z",
                ["message"] = "Stock low",
                ["log.level"] = "warn",
                ["service.name"] = app,
            },
        };

        var response = await client.BulkAsync(b => b.Index("logs-shop").IndexMany(documents), TestContext.Current.CancellationToken);

        response.IsValidResponse.Should().BeTrue(response.DebugInformation);
        response.Errors.Should().BeFalse();
        response.Items.Should().HaveCount(2).And.OnlyContain(i => i.Status == 201 && i.Index == "logs-shop" && !string.IsNullOrEmpty(i.Id));
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "both documents searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        var first = hits[0];
        first.GetProperty("timestamp").GetDateTimeOffset().Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        first.GetProperty("level").GetString().Should().Be("ERROR");
        first.GetProperty("message").GetString().Should().Be("Payment failed");
        first.GetProperty("server").GetString().Should().Be("web-1");
        first.GetProperty("method").GetString().Should().Be("POST");
        first.GetProperty("status_code").GetInt32().Should().Be(503);
        first.GetProperty("endpoint").GetString().Should().Be("/api/pay");
        first.GetProperty("response_time_ms").GetDouble().Should().Be(1.5);
        first.GetProperty("user_id").GetString().Should().Be("u7");
        first.GetProperty("trace_id").GetString().Should().Be("4bf92f3577b34da6a3ce929d0e0e4736");
        first.GetProperty("source").GetString().Should().Be("elasticsearch");
        first.GetProperty("extra").GetProperty("error.stack_trace").GetString().Should().StartWith("System.InvalidOperationException: card declined");
        first.GetProperty("extra").GetProperty("index").GetString().Should().Be("logs-shop");
        hits[1].GetProperty("level").GetString().Should().Be("WARNING");
    }

    [Fact]
    public async Task An_ingest_key_given_to_the_client_as_its_api_key_decides_the_source()
    {
        using var created = await _host.Client.PostAsJsonAsync("/api/ingest-keys", new { name = "elastic", source = "es-keyed" }, TestContext.Current.CancellationToken);
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("secret").GetString()!;
        var client = new ElasticsearchClient(new ElasticsearchClientSettings(new Uri(_host.BaseAddress, "/es/")).Authentication(new ApiKey(key)));

        var bulk = await client.BulkAsync(b => b.Index("keyed").IndexMany([new Dictionary<string, object> { ["message"] = "keyed", ["log.level"] = "info" }]), TestContext.Current.CancellationToken);
        bulk.IsValidResponse.Should().BeTrue(bulk.DebugInformation);

        // As Beats send `api_key: id:key`, and as Fluent Bit and Vector send Basic credentials.
        foreach (var authorization in new[] { "ApiKey " + Base64("beats:" + key), "Basic " + Base64("fluent-bit:" + key) })
        {
            using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, "/es/keyed/_bulk") { Content = new StringContent("{\"create\":{}}\n{\"message\":\"keyed\"}\n", Encoding.UTF8, "application/x-ndjson") };
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var anonymousClient = new HttpClient { BaseAddress = _host.BaseAddress };
            (await anonymousClient.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK, authorization);
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("q=" + Uri.EscapeDataString("source:\"es-keyed\"")) == 3, TimeSpan.FromSeconds(30), "the keyed documents searchable under the key's source");
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_bad_document_fails_its_item_alone_and_a_malformed_action_refuses_the_request_with_the_reason()
    {
        var app = App();
        var body = $$$"""
            {"create":{"_index":"logs"}}
            {"message":"kept one","service.name":"{{{app}}}"}
            {"index":{}}
            {"message":"no index","service.name":"{{{app}}}"}
            {"index":{"_index":"logs"}}
            {"message": broken
            {"delete":{"_index":"logs","_id":"1"}}
            {"index":{"_index":"logs","_id":"given"}}
            {"message":"kept two","service.name":"{{{app}}}"}

            """;
        using var answer = await PostNdjsonAsync("/_bulk", body);
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        answer.Headers.GetValues("X-Elastic-Product").Should().Equal("Elasticsearch");
        var result = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        result.GetProperty("errors").GetBoolean().Should().BeTrue();
        var items = result.GetProperty("items").EnumerateArray().Select(i => i.EnumerateObject().Single()).ToList();
        items.Select(i => i.Name).Should().Equal("create", "index", "index", "delete", "index");
        items.Select(i => i.Value.GetProperty("status").GetInt32()).Should().Equal(201, 400, 400, 400, 201);
        items[1].Value.GetProperty("error").GetProperty("reason").GetString().Should().Contain("index is missing");
        items[2].Value.GetProperty("error").GetProperty("type").GetString().Should().Be("document_parsing_exception");
        items[4].Value.GetProperty("_id").GetString().Should().Be("given");

        using var malformed = await PostNdjsonAsync("/es/logs/_bulk", "{\"index\":\n{\"message\":\"x\"}\n");
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await malformed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("Malformed action/metadata line [1]");

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "the two good documents searchable");
    }

    [Fact]
    public async Task The_handshake_answers_as_elasticsearch_does()
    {
        var ct = TestContext.Current.CancellationToken;
        using var info = await _host.Client.GetAsync("/es", ct);
        info.StatusCode.Should().Be(HttpStatusCode.OK);
        info.Headers.GetValues("X-Elastic-Product").Should().Equal("Elasticsearch");
        var root = JsonDocument.Parse(await info.Content.ReadAsStringAsync(ct)).RootElement;
        root.GetProperty("version").GetProperty("number").GetString().Should().MatchRegex(@"^\d+\.\d+\.\d+$");
        root.GetProperty("tagline").GetString().Should().Be("You Know, for Search");

        (await _host.GetJsonAsync("/es/_license")).GetProperty("license").GetProperty("status").GetString().Should().Be("active");
        (await _host.GetJsonAsync("/es/_xpack")).GetProperty("license").GetProperty("mode").GetString().Should().Be("basic");
        (await _host.GetJsonAsync("/es/_cluster/health")).GetProperty("status").GetString().Should().Be("green");
        foreach (var template in new[] { "/es/_index_template/logs", "/es/_component_template/logs-mappings", "/es/_template/logs", "/es/_ilm/policy/logs" })
        {
            using var put = await _host.Client.PutAsync(template, JsonContent.Create(new { index_patterns = new[] { "logs-*" } }), ct);
            put.StatusCode.Should().Be(HttpStatusCode.OK, template);
            JsonDocument.Parse(await put.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("acknowledged").GetBoolean().Should().BeTrue();
            (await _host.Client.GetAsync(template, ct)).StatusCode.Should().Be(HttpStatusCode.OK, template);
        }

        var client = new ElasticsearchClient(new ElasticsearchClientSettings(new Uri(_host.BaseAddress, "/es/")));
        var clientInfo = await client.InfoAsync(ct);
        clientInfo.IsValidResponse.Should().BeTrue(clientInfo.DebugInformation);
        clientInfo.Version.Number.Should().Be(root.GetProperty("version").GetProperty("number").GetString());
    }

    private async Task<HttpResponseMessage> PostNdjsonAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        return await _host.Client.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    private static string App() => "es" + Guid.NewGuid().ToString("N")[..10];
}
