using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Every refusal of an ingest route says why: each route the ingest policy guards is called the ways shippers get it
/// wrong, and every 4xx answer must carry a reason (problem details, or Elasticsearch's error shape). The
/// Elasticsearch-compatible routes also name their product on refusals, or Elastic's clients give up on the answer.
/// </summary>
public sealed partial class IngestRefusalTests : IAsyncLifetime
{
    private InProcessHost _host = null!;
    private string _viewerToken = "";

    public async ValueTask InitializeAsync()
    {
        _host = await InProcessHost.StartWithRemoteCallersAsync([]);
        _viewerToken = await TestUsers.TokenAsync(_host.BaseAddress, role: "viewer");
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The ways a call goes wrong, each applied to every ingest route.</summary>
    private static readonly (string Name, Action<HttpRequestMessage> Spoil)[] Mistakes =
    [
        ("no credentials from another machine", r => r.Headers.Add(RemoteAddress.Header, RemoteAddress.Elsewhere)),
        ("an unknown ingest key", r => r.Headers.Add("X-Api-Key", "smk_not-a-key")),
        ("a corrupt gzip body", r => Body(r, [0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02], "application/json", gzip: true)),
        ("an unknown media type", r => Body(r, "x"u8.ToArray(), "application/x-unknown", gzip: false)),
        ("a malformed body", r => Body(r, "{\"unclosed\": "u8.ToArray(), "application/json", gzip: false)),
        ("an unknown format", r => r.RequestUri = new Uri(r.RequestUri!.OriginalString + "?format=nonsense", UriKind.Relative)),
    ];

    [Fact]
    public async Task Every_4xx_answer_of_an_ingest_route_carries_its_reason()
    {
        var routes = IngestRoutes();
        routes.Should().Contain(["POST /api/ingest", "POST /es/_bulk", "POST /v1/logs", "POST /loki/api/v1/push", "POST /gelf", "POST /api/events/raw"]);
        using var client = new HttpClient { BaseAddress = _host.BaseAddress };
        var missing = new List<string>();
        var refusals = 0;
        foreach (var route in routes)
        {
            foreach (var (mistake, spoil) in Mistakes.Append(("a viewer's token", r => r.Headers.Authorization = new("Bearer", _viewerToken))))
            {
                using var request = Request(route);
                spoil(request);
                using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                if ((int)response.StatusCode is < 400 or > 499)
                {
                    continue;
                }

                refusals++;
                var what = $"{route} with {mistake}: {(int)response.StatusCode}";
                if (request.Method != HttpMethod.Head && ReasonOf(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)) is null)
                {
                    missing.Add($"{what} without a reason");
                }

                if (IsElasticsearch(route) && !response.Headers.Contains("X-Elastic-Product"))
                {
                    missing.Add($"{what} without X-Elastic-Product");
                }
            }
        }

        missing.Should().BeEmpty();
        refusals.Should().BeGreaterThan(routes.Count * 3, "every route refuses at least the credentials it cannot accept");
    }

    [Fact]
    public async Task A_refused_elasticsearch_call_names_the_product_as_elasticsearch()
    {
        using var request = Request("POST /es/_bulk");
        request.Headers.Add(RemoteAddress.Header, RemoteAddress.Elsewhere);

        using var response = await new HttpClient { BaseAddress = _host.BaseAddress }.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.GetValues("X-Elastic-Product").Should().Equal("Elasticsearch");
    }

    /// <summary>"METHOD /pattern" of every route that needs the ingest policy.</summary>
    private List<string> IngestRoutes() => [.. _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == "ingest"))
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText}"))];

    private static bool IsElasticsearch(string route) => route.Contains(" /es", StringComparison.Ordinal) || route.EndsWith("/_bulk", StringComparison.Ordinal);

    private static HttpRequestMessage Request(string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(route[..space]), RouteParameter().Replace(route[(space + 1)..], "logs"));
        if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put)
        {
            Body(request, "{\"message\":\"refusal test\"}\n"u8.ToArray(), "application/json", gzip: false);
        }

        return request;
    }

    private static void Body(HttpRequestMessage request, byte[] body, string mediaType, bool gzip)
    {
        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
        {
            return;
        }

        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new(mediaType);
        if (gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }
    }

    /// <summary>The reason an answer gives: problem details' detail (or title), or an Elasticsearch error's reason.</summary>
    private static string? ReasonOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var reason = root.TryGetProperty("detail", out var detail) ? detail.GetString()
                : root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("reason", out var r) ? r.GetString()
                : null;
            return string.IsNullOrWhiteSpace(reason) ? null : reason;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex RouteParameter();
}
