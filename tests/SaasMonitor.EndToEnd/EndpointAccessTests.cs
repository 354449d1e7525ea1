using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// One authorization model, checked whole: every endpoint the server maps declares a policy, the policy is the one
/// this matrix expects, and every principal gets exactly the access the policy grants when it calls the endpoint.
/// </summary>
public sealed class EndpointAccessTests : IAsyncLifetime
{
    /// <summary>Every endpoint of the all-in-one server and the policy it must declare.</summary>
    private static readonly Dictionary<string, string> Matrix = new()
    {
        ["GET /health/live"] = Anonymous,
        ["GET /health/ready"] = Anonymous,
        ["GET /api/health"] = Viewer,
        ["GET /metrics"] = Metrics,
        ["GET /openapi/{documentName}.json"] = Viewer,
        ["POST /api/ingest"] = Ingest,
        ["POST /api/events/raw"] = Ingest,
        ["POST /gelf"] = Ingest,
        ["POST /v1/logs"] = Ingest,
        ["POST /loki/api/v1/push"] = Ingest,
        ["GET /es"] = Ingest,
        ["HEAD /es"] = Ingest,
        ["GET /es/_license"] = Ingest,
        ["GET /es/_xpack"] = Ingest,
        ["GET /es/_cluster/health"] = Ingest,
        ["GET /es/_index_template/{name}"] = Ingest,
        ["HEAD /es/_index_template/{name}"] = Ingest,
        ["PUT /es/_index_template/{name}"] = Ingest,
        ["POST /es/_index_template/{name}"] = Ingest,
        ["GET /es/_component_template/{name}"] = Ingest,
        ["HEAD /es/_component_template/{name}"] = Ingest,
        ["PUT /es/_component_template/{name}"] = Ingest,
        ["POST /es/_component_template/{name}"] = Ingest,
        ["GET /es/_template/{name}"] = Ingest,
        ["HEAD /es/_template/{name}"] = Ingest,
        ["PUT /es/_template/{name}"] = Ingest,
        ["POST /es/_template/{name}"] = Ingest,
        ["GET /es/_ilm/policy/{name}"] = Ingest,
        ["HEAD /es/_ilm/policy/{name}"] = Ingest,
        ["PUT /es/_ilm/policy/{name}"] = Ingest,
        ["POST /es/_ilm/policy/{name}"] = Ingest,
        ["POST /es/_bulk"] = Ingest,
        ["PUT /es/_bulk"] = Ingest,
        ["POST /es/{index}/_bulk"] = Ingest,
        ["PUT /es/{index}/_bulk"] = Ingest,
        ["POST /_bulk"] = Ingest,
        ["PUT /_bulk"] = Ingest,
        ["POST /{index}/_bulk"] = Ingest,
        ["PUT /{index}/_bulk"] = Ingest,
        ["POST /api/upload"] = Editor,
        ["GET /api/files"] = Viewer,
        ["GET /api/files/{id}"] = Viewer,
        ["GET /api/files/{id}/download"] = Viewer,
        ["DELETE /api/files/{id}"] = Editor,
        ["GET /api/search"] = Viewer,
        ["GET /api/logs"] = Viewer,
        ["GET /api/logs/{id}"] = Viewer,
        ["GET /api/export"] = Viewer,
        ["GET /api/live"] = Viewer,
        ["GET /api/saved-searches"] = Viewer,
        ["POST /api/saved-searches"] = Viewer,
        ["DELETE /api/saved-searches/{id}"] = Viewer,
        ["GET /api/search-history"] = Viewer,
        ["GET /api/stats"] = Viewer,
        ["GET /api/dead-letters"] = Viewer,
        ["GET /api/dead-letters/{position}"] = Viewer,
        ["POST /api/dead-letters/redrive"] = Editor,
        ["GET /api/charts/logs-per-hour"] = Viewer,
        ["GET /api/charts/errors-per-hour"] = Viewer,
        ["GET /api/charts/levels"] = Viewer,
        ["GET /api/charts/status-codes"] = Viewer,
        ["GET /api/charts/top-endpoints"] = Viewer,
        ["GET /api/charts/slowest-endpoints"] = Viewer,
        ["GET /api/charts/error-rate-by-service"] = Viewer,
        ["GET /api/charts/error-heatmap"] = Viewer,
        ["POST /api/login"] = Anonymous,
        ["POST /api/logout"] = Viewer,
        ["GET /api/user/current"] = Viewer,
        ["POST /api/user/password"] = Viewer,
        ["GET /api/setup"] = Anonymous,
        ["POST /api/setup"] = Anonymous,
        ["GET /login/oidc"] = Anonymous,
        ["GET /api/users"] = Admin,
        ["POST /api/users"] = Admin,
        ["GET /api/users/{id}"] = Admin,
        ["PATCH /api/users/{id}"] = Admin,
        ["DELETE /api/users/{id}"] = Admin,
        ["GET /api/tokens"] = Viewer,
        ["POST /api/tokens"] = Viewer,
        ["DELETE /api/tokens/{id}"] = Viewer,
        ["GET /api/ingest-keys"] = Admin,
        ["POST /api/ingest-keys"] = Admin,
        ["DELETE /api/ingest-keys/{id}"] = Admin,
        ["GET /api/audit"] = Admin,
        ["GET /api/alert-rules"] = Viewer,
        ["GET /api/alert-rules/export"] = Viewer,
        ["GET /api/alert-rules/{id}"] = Viewer,
        ["POST /api/alert-rules"] = Editor,
        ["PUT /api/alert-rules/{id}"] = Editor,
        ["DELETE /api/alert-rules/{id}"] = Editor,
        ["POST /api/alert-rules/import"] = Editor,
        ["POST /api/alert-rules/preview"] = Editor,
        ["GET /api/alert-channels"] = Viewer,
        ["POST /api/alert-channels"] = Admin,
        ["PUT /api/alert-channels/{id}"] = Admin,
        ["DELETE /api/alert-channels/{id}"] = Admin,
        ["POST /api/alert-channels/{id}/test"] = Admin,
        ["GET /api/silences"] = Viewer,
        ["POST /api/silences"] = Editor,
        ["DELETE /api/silences/{id}"] = Editor,
        ["GET /api/alerts"] = Viewer,
        ["GET /api/alerts/history"] = Viewer,
        ["GET /api/alerts/notifications"] = Viewer,
        ["GET /login"] = Anonymous,
        ["GET /setup"] = Anonymous,
        ["GET /assets/{name}"] = Anonymous,
        ["GET /docs/{documentName?}"] = Viewer,
        ["GET /docs/scalar.js"] = Anonymous,
        ["GET /docs/scalar.aspnetcore.js"] = Anonymous,
        ["GET /docs/favicon.svg"] = Anonymous,
        ["POST /logout"] = Viewer,
        ["GET /"] = Viewer,
        ["POST /"] = Viewer,
        ["GET /search"] = Viewer,
        ["POST /search"] = Viewer,
        ["GET /live"] = Viewer,
        ["POST /live"] = Viewer,
        ["GET /upload"] = Editor,
        ["POST /upload"] = Editor,
        ["GET /dead-letters"] = Viewer,
        ["POST /dead-letters"] = Viewer,
        ["GET /files"] = Viewer,
        ["POST /files"] = Viewer,
        ["GET /alerts/rules/new"] = Editor,
        ["POST /alerts/rules/new"] = Editor,
        ["GET /alerts/rules/{Id}"] = Editor,
        ["POST /alerts/rules/{Id}"] = Editor,
        ["GET /alerts"] = Viewer,
        ["POST /alerts"] = Viewer,
        ["GET /system"] = Viewer,
        ["POST /system"] = Viewer,
        ["GET /account"] = Viewer,
        ["POST /account"] = Viewer,
        ["GET /admin/users"] = Admin,
        ["POST /admin/users"] = Admin,
        ["GET /admin/audit"] = Admin,
        ["POST /admin/audit"] = Admin,
        ["GET /_blazor/negotiate"] = Viewer,
        ["GET /_blazor"] = Viewer,
        ["GET /_blazor/disconnect/"] = Viewer,
        ["GET /_blazor/initializers/"] = Viewer,
        ["GET /_framework/opaque-redirect"] = Viewer,
    };

    /// <summary>
    /// The static web assets' development catch-all, mapped by the framework without metadata of ours: the fallback
    /// policy closes it (signed-in viewers only), which the access test below checks like any other route.
    /// </summary>
    private static readonly HashSet<string> ClosedByFallback = ["GET {**path:file}", "HEAD {**path:file}"];

    /// <summary>Declared policies from the most to the least demanding; an endpoint with several needs them all.</summary>
    private static readonly string[] Strictness = [Admin, Editor, Viewer, Ingest, Metrics];

    private const string Anonymous = "anonymous";
    private const string Ingest = "ingest";
    private const string Viewer = "viewer";
    private const string Editor = "editor";
    private const string Admin = "admin";
    private const string Metrics = "metrics";

    /// <summary>The callers, each with what it sends: remote callers come from a non-loopback address.</summary>
    private static readonly string[] Callers = ["anonymous on loopback", "anonymous remote", "ingest key", "viewer", "editor", "admin"];

    private readonly Dictionary<string, Action<HttpRequestMessage>> _credentials = [];
    private readonly Dictionary<string, string> _accepts = [];
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await InProcessHost.StartWithRemoteCallersAsync(["--SaasMonitor:Auth:SignInsPerMinutePerAddress=1000", "--SaasMonitor:Auth:SignInsPerMinutePerAccount=1000"]);
        var viewer = await CreateUserTokenAsync("vera", "viewer");
        var editor = await CreateUserTokenAsync("eddie", "editor");
        var key = await CreateIngestKeyAsync();
        foreach (var endpoint in _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes is [var type, ..])
            {
                foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                {
                    _accepts[$"{method} {endpoint.RoutePattern.RawText}"] = type;
                }
            }
        }

        _credentials["anonymous on loopback"] = _ => { };
        _credentials["anonymous remote"] = r => r.Headers.Add(RemoteAddress.Header, RemoteAddress.Elsewhere);
        _credentials["ingest key"] = r => r.Headers.Add("X-Api-Key", key);
        _credentials["viewer"] = r => r.Headers.Authorization = new("Bearer", viewer);
        _credentials["editor"] = r => r.Headers.Authorization = new("Bearer", editor);
        _credentials["admin"] = r => r.Headers.Authorization = new("Bearer", _host.AdminToken);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Every_endpoint_declares_the_policy_the_matrix_expects()
    {
        var problems = DeclarationProblems(_host.Services.GetRequiredService<EndpointDataSource>());
        problems.Should().BeEmpty(string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Every_principal_gets_exactly_the_access_each_endpoint_policy_grants()
    {
        var client = new HttpClient { BaseAddress = _host.BaseAddress };
        var wrong = new List<string>();
        foreach (var (route, policy) in Matrix.Concat(ClosedByFallback.Select(r => KeyValuePair.Create(r.Replace("{**path:file}", "not-a-file.txt", StringComparison.Ordinal), Viewer))))
        {
            foreach (var caller in Callers)
            {
                var (status, title) = await CallAsync(client, route, caller);
                var expected = Expected(policy, caller);
                // A refusal by the authorization model carries its own titles; a HEAD answer has no body to carry one.
                var actual = status == HttpStatusCode.Unauthorized && title is "Sign-in required" or null ? "401"
                    : status == HttpStatusCode.Forbidden && title is "Forbidden" or null ? "403"
                    : "allowed";
                if (actual != expected)
                {
                    wrong.Add($"{route} as {caller}: expected {expected}, got {(int)status} {title}");
                }
            }
        }

        wrong.Should().BeEmpty();
    }

    [Fact]
    public async Task An_endpoint_mapped_without_a_policy_fails_the_declaration_check_and_is_still_closed_by_the_fallback()
    {
        await using var host = await InProcessHost.StartWithRemoteCallersAsync([], map: app => app.MapGet("/api/undeclared", () => "open?"));

        DeclarationProblems(host.Services.GetRequiredService<EndpointDataSource>())
            .Should().Contain(p => p.Contains("GET /api/undeclared declares no policy", StringComparison.Ordinal));
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        (await anonymous.GetAsync("/api/undeclared")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    /// <summary>What is wrong with the endpoints' declarations: missing policies, policies other than the matrix's, endpoints not in it.</summary>
    private static List<string> DeclarationProblems(EndpointDataSource endpoints)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var route = $"{method} {endpoint.RoutePattern.RawText}";
                seen.Add(route);
                var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
                var declared = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? Anonymous : Strictness.FirstOrDefault(policies.Contains);
                if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null)
                {
                    // Scripts, styles and fonts of the pages, one endpoint per file: all public, never data.
                    if (declared != Anonymous)
                    {
                        problems.Add($"{route} is a static asset that is not public");
                    }
                }
                else if (ClosedByFallback.Contains(route))
                {
                    if (declared is not null)
                    {
                        problems.Add($"{route} now declares {declared}: move it into the matrix");
                    }
                }
                else if (declared is null)
                {
                    problems.Add($"{route} declares no policy");
                }
                else if (!Matrix.TryGetValue(route, out var expected))
                {
                    problems.Add($"{route} ({declared}) is not in the matrix");
                }
                else if (declared != expected)
                {
                    problems.Add($"{route} declares {declared}, the matrix says {expected}");
                }
            }
        }

        problems.AddRange(Matrix.Keys.Concat(ClosedByFallback).Where(r => !seen.Contains(r)).Select(r => $"{r} is in the matrix but not mapped"));
        return problems;
    }

    private static string Expected(string policy, string caller) => (policy, caller) switch
    {
        (Anonymous, _) => "allowed",
        (Metrics, "anonymous remote") => "401",
        (Metrics, _) => "allowed",
        (Ingest, "anonymous remote") => "401",
        (Ingest, "anonymous on loopback" or "ingest key" or "editor" or "admin") => "allowed",
        (_, "anonymous on loopback" or "anonymous remote") => "401",
        (_, "ingest key") => "403",
        (Viewer, _) => "allowed",
        (Editor, "editor" or "admin") => "allowed",
        (Admin, "admin") => "allowed",
        _ => "403",
    };

    private async Task<(HttpStatusCode Status, string? Title)> CallAsync(HttpClient client, string route, string caller)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var path = System.Text.RegularExpressions.Regex.Replace(route[(space + 1)..], "{[^}]+}", "matrix-x");
        using var request = new HttpRequestMessage(new HttpMethod(route[..space]), path);
        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Delete)
        {
            // An endpoint that accepts only some content types is not matched by others (415 before authorization).
            request.Content = _accepts.TryGetValue(route, out var type) && type != "application/json"
                ? new StringContent(string.Empty, new System.Net.Http.Headers.MediaTypeHeaderValue(type))
                : JsonContent.Create(new { });
        }

        _credentials[caller](request);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        string? title = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json" && await response.Content.ReadAsStringAsync() is { Length: > 0 } problem)
        {
            title = JsonDocument.Parse(problem).RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
        }

        return (response.StatusCode, title);
    }

    private async Task<string> CreateUserTokenAsync(string name, string role)
    {
        const string password = "matrix-orchid-lantern-5";
        using var created = await _host.Client.PostAsJsonAsync("/api/users", new { name, role, password });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return await TestUsers.TokenAsync(_host.BaseAddress, role, name, password);
    }

    private async Task<string> CreateIngestKeyAsync()
    {
        using var created = await _host.Client.PostAsJsonAsync("/api/ingest-keys", new { name = "matrix", source = "matrix-shipper" });
        var body = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
    }
}
