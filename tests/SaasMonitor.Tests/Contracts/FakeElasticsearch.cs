using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SaasMonitor.Tests.Contracts;

/// <summary>
/// A contract double of Elasticsearch's REST API on a loopback port: it records every request the official client sends
/// (method, path with query string, body) and answers each with the next scripted answer for its method and path, as
/// Elasticsearch answers (with <c>X-Elastic-Product: Elasticsearch</c>, which the client checks). Requests without a
/// scripted answer get 404 and stay in <see cref="Requests"/> for the test to see.
/// </summary>
internal sealed class FakeElasticsearch : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<Captured> _requests = [];
    private readonly List<Script> _scripts = [];

    private FakeElasticsearch()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(AnswerAsync);
    }

    public sealed record Captured(string Method, string Path, string Query, string Body)
    {
        public string[] Lines => Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public string Url => _app.Urls.Single();

    public IReadOnlyList<Captured> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeElasticsearch> StartAsync(CancellationToken ct)
    {
        var fake = new FakeElasticsearch();
        await fake._app.StartAsync(ct);
        return fake;
    }

    /// <summary>
    /// Answers requests of <paramref name="method"/> whose path ends with <paramref name="pathEnd"/> with
    /// <paramref name="answers"/> in turn; the last answer repeats.
    /// </summary>
    public void Answer(string method, string pathEnd, params (int Status, string Body)[] answers)
    {
        lock (_gate)
        {
            _scripts.Add(new Script(method, pathEnd, new Queue<(int, string)>(answers)));
        }
    }

    public IReadOnlyList<Captured> RequestsTo(string method, string pathEnd) =>
        [.. Requests.Where(r => r.Method == method && r.Path.EndsWith(pathEnd, StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        Stream body = request.Body;
        if (request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        string text;
        using (var reader = new StreamReader(body, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync(context.RequestAborted);
        }

        (int Status, string Body)? answer = null;
        lock (_gate)
        {
            _requests.Add(new Captured(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", text));
            var script = _scripts.LastOrDefault(s => s.Method == request.Method && (request.Path.Value ?? "").EndsWith(s.PathEnd, StringComparison.Ordinal));
            if (script is not null)
            {
                answer = script.Answers.Count > 1 ? script.Answers.Dequeue() : script.Answers.Peek();
            }
        }

        var (status, json) = answer ?? (404, """{"error":{"root_cause":[{"type":"resource_not_found_exception","reason":"no answer scripted"}],"type":"resource_not_found_exception","reason":"no answer scripted"},"status":404}""");
        context.Response.StatusCode = status;
        context.Response.Headers["X-Elastic-Product"] = "Elasticsearch";
        // Elasticsearch answers in the media type asked for (the client asks for its compatible JSON and checks it).
        context.Response.ContentType = request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept.Split(',')[0] : "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    private sealed record Script(string Method, string PathEnd, Queue<(int Status, string Body)> Answers);
}
