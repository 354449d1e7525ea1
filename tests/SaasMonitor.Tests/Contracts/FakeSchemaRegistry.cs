using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SaasMonitor.Tests.Contracts;

/// <summary>
/// A contract double of Confluent Schema Registry's documented REST API, on a loopback port: only the calls
/// <c>CachedSchemaRegistryClient</c> makes for the JSON serdes (register a schema under a subject, look a schema up
/// under a subject, read a schema by id, read a subject's version). Identical schema text gets the same id, as in the
/// real registry. Requests outside that surface are answered 404 and listed in <see cref="Unhandled"/>.
/// </summary>
internal sealed class FakeSchemaRegistry : IAsyncDisposable
{
    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<(string Schema, string Type)> _schemas = [];
    private readonly Dictionary<string, List<int>> _subjects = new(StringComparer.Ordinal);
    private readonly List<string> _unhandled = [];
    private int _registrations;

    private FakeSchemaRegistry()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/subjects/{subject}/versions", RegisterAsync);
        _app.MapPost("/subjects/{subject}", LookUpAsync);
        _app.MapGet("/schemas/ids/{id:int}", SchemaById);
        _app.MapGet("/subjects/{subject}/versions/{version}", SubjectVersion);
        _app.MapFallback(Unknown);
    }

    public string Url => _app.Urls.Single();

    /// <summary>Register calls received, including ones that found the schema already registered.</summary>
    public int Registrations => Volatile.Read(ref _registrations);

    public IReadOnlyList<string> Unhandled
    {
        get
        {
            lock (_gate)
            {
                return [.. _unhandled];
            }
        }
    }

    public IReadOnlyCollection<string> Subjects
    {
        get
        {
            lock (_gate)
            {
                return [.. _subjects.Keys];
            }
        }
    }

    public static async Task<FakeSchemaRegistry> StartAsync(CancellationToken ct)
    {
        var registry = new FakeSchemaRegistry();
        await registry._app.StartAsync(ct);
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> RegisterAsync(string subject, HttpRequest request)
    {
        Interlocked.Increment(ref _registrations);
        var (schema, type) = await ReadSchemaAsync(request);
        lock (_gate)
        {
            var id = _schemas.IndexOf((schema, type)) + 1;
            if (id == 0)
            {
                _schemas.Add((schema, type));
                id = _schemas.Count;
            }

            var versions = _subjects.TryGetValue(subject, out var existing) ? existing : _subjects[subject] = [];
            if (!versions.Contains(id))
            {
                versions.Add(id);
            }

            return Results.Json(new { id }, contentType: ContentType);
        }
    }

    private async Task<IResult> LookUpAsync(string subject, HttpRequest request)
    {
        var (schema, type) = await ReadSchemaAsync(request);
        lock (_gate)
        {
            var id = _schemas.IndexOf((schema, type)) + 1;
            return _subjects.TryGetValue(subject, out var versions) && versions.Contains(id)
                ? Version(subject, versions.IndexOf(id) + 1, id)
                : Error(StatusCodes.Status404NotFound, 40403, "Schema not found");
        }
    }

    private IResult SchemaById(int id)
    {
        lock (_gate)
        {
            if (id < 1 || id > _schemas.Count)
            {
                return Error(StatusCodes.Status404NotFound, 40403, "Schema not found");
            }

            var (schema, type) = _schemas[id - 1];
            return Results.Json(new { schema, schemaType = type, references = Array.Empty<object>() }, contentType: ContentType);
        }
    }

    private IResult SubjectVersion(string subject, string version)
    {
        lock (_gate)
        {
            if (!_subjects.TryGetValue(subject, out var versions))
            {
                return Error(StatusCodes.Status404NotFound, 40401, "Subject not found");
            }

            var number = version == "latest" ? versions.Count : int.TryParse(version, out var n) ? n : 0;
            return number >= 1 && number <= versions.Count
                ? Version(subject, number, versions[number - 1])
                : Error(StatusCodes.Status404NotFound, 40402, "Version not found");
        }
    }

    private IResult Unknown(HttpRequest request)
    {
        lock (_gate)
        {
            _unhandled.Add($"{request.Method} {request.Path}{request.QueryString}");
        }

        return Error(StatusCodes.Status404NotFound, 40400, "Not part of this contract double");
    }

    // Callers hold _gate.
    private IResult Version(string subject, int version, int id)
    {
        var (schema, type) = _schemas[id - 1];
        return Results.Json(new { subject, id, version, schema, schemaType = type, references = Array.Empty<object>() }, contentType: ContentType);
    }

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new { error_code = code, message }, statusCode: status, contentType: ContentType);

    private static async Task<(string Schema, string Type)> ReadSchemaAsync(HttpRequest request)
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        var root = body.RootElement;
        var schema = root.GetProperty("schema").GetString() ?? "";
        // The registry's default type is AVRO when the request names none.
        var type = root.TryGetProperty("schemaType", out var t) ? t.GetString() ?? "AVRO" : "AVRO";
        return (schema, type);
    }
}
