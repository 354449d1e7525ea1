using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway.Elasticsearch;

/// <summary>
/// The part of Elasticsearch's HTTP API that log shippers use, so their <c>elasticsearch</c> outputs and Elastic's clients
/// send here unchanged: <c>_bulk</c> (documents become events, format <c>ecs</c>), and the requests they make before it
/// (the version at the base path, <c>_license</c>, <c>_xpack</c>, <c>_cluster/health</c>, index, component and legacy
/// templates, ILM policies), answered as Elasticsearch answers them. Under <c>/es</c> (the base URL to give a shipper),
/// and <c>_bulk</c> also at the root. Every answer carries <c>X-Elastic-Product: Elasticsearch</c>, which clients check.
/// </summary>
internal static class ElasticsearchEndpoints
{
    /// <summary>The Elasticsearch version reported: shippers refuse a cluster older than themselves.</summary>
    private const string Version = "9.1.0";

    private const string ClusterName = "saasmonitor";

    public static void MapElasticsearch(this WebApplication app)
    {
        app.MapMethods("/es", [HttpMethods.Get, HttpMethods.Head], Info)
            .WithElasticsearchAnswers()
            .WithName("ElasticsearchInfo")
            .WithSummary("Elasticsearch's root: the version shippers check before they send.");
        var es = app.MapGroup("/es").WithElasticsearchAnswers();
        es.MapGet("/_license", () => Json(new { license = new { status = "active", uid = ClusterUuid, type = "basic", issued_to = ClusterName, issuer = "elasticsearch", max_nodes = 1000, start_date_in_millis = -1 } }))
            .WithName("ElasticsearchLicense")
            .WithSummary("A basic licence, as Elasticsearch reports it.");
        es.MapGet("/_xpack", () => Json(new { build = new { hash = "saasmonitor", date = "2026-01-01T00:00:00Z" }, license = new { uid = ClusterUuid, type = "basic", mode = "basic", status = "active" }, features = new { } }))
            .WithName("ElasticsearchXpack")
            .WithSummary("Elasticsearch's feature information: a basic licence, no features.");
        es.MapGet("/_cluster/health", () => Json(new { cluster_name = ClusterName, status = "green", timed_out = false, number_of_nodes = 1, number_of_data_nodes = 1, active_primary_shards = 1, active_shards = 1, relocating_shards = 0, initializing_shards = 0, unassigned_shards = 0, number_of_pending_tasks = 0, active_shards_percent_as_number = 100.0 }))
            .WithName("ElasticsearchClusterHealth")
            .WithSummary("A green one-node cluster.");
        foreach (var (kind, pattern) in new[] { ("IndexTemplate", "/_index_template/{name}"), ("ComponentTemplate", "/_component_template/{name}"), ("Template", "/_template/{name}"), ("IlmPolicy", "/_ilm/policy/{name}") })
        {
            es.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Post], Acknowledge)
                .WithName("Elasticsearch" + kind)
                .WithSummary("Accepted and not kept: events are stored with SaasMonitor's own schema, so shippers may install theirs.");
        }

        foreach (var group in new IEndpointRouteBuilder[] { es, app.MapGroup("").WithElasticsearchAnswers() })
        {
            group.MapMethods("/_bulk", [HttpMethods.Post, HttpMethods.Put], BulkAsync)
                .WithName(group == es ? "ElasticsearchBulk" : "ElasticsearchBulkAtRoot")
                .WithSummary("Elasticsearch's bulk API: each index or create document becomes an event.");
            group.MapMethods("/{index}/_bulk", [HttpMethods.Post, HttpMethods.Put], BulkAsync)
                .WithName(group == es ? "ElasticsearchIndexBulk" : "ElasticsearchIndexBulkAtRoot")
                .WithSummary("Elasticsearch's bulk API with a default index: each index or create document becomes an event.");
        }
    }

    private static readonly string ClusterUuid = "saasmonitor-" + Environment.MachineName.ToLowerInvariant();

    /// <summary>Policies.Ingest, the product header on every answer, and the documentation common to these endpoints.</summary>
    private static TBuilder WithElasticsearchAnswers<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization(Policies.Ingest)
            .DisableAntiforgery()
            .WithTags("Elasticsearch")
            .WithDescription("""
                Elasticsearch-compatible: point a shipper's elasticsearch output (Filebeat, Fluent Bit, Vector, Logstash) or an
                Elastic client at http://<server>/es. Ingest keys may come as X-Api-Key or as `Authorization: ApiKey <key>`.
                """)
            .WithAnswerHeader("X-Elastic-Product", "Elasticsearch");
        return builder;
    }

    private static IResult Info() => Json(new
    {
        name = Environment.MachineName,
        cluster_name = ClusterName,
        cluster_uuid = ClusterUuid,
        version = new
        {
            number = Version,
            build_flavor = "default",
            build_type = "saasmonitor",
            build_hash = "saasmonitor",
            build_date = "2026-01-01T00:00:00Z",
            build_snapshot = false,
            lucene_version = "10.2.2",
            minimum_wire_compatibility_version = "8.19.0",
            minimum_index_compatibility_version = "8.0.0",
        },
        tagline = "You Know, for Search",
    });

    private static IResult Acknowledge(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? Json(new { }) : Json(new { acknowledged = true });

    private static async Task<IResult> BulkAsync(HttpContext context, RawWriter writer, IOptions<IngestOptions> options, string? index, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var (body, problem) = await IngestEndpoints.ReadBodyAsync(context, options.Value, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        BulkRequest bulk;
        try
        {
            bulk = BulkRequest.Read(body.Span, index);
        }
        catch (InvalidDataException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "illegal_argument_exception", ex.Message);
        }

        var (_, refused) = await IngestEndpoints.AppendLinesAsync(context, writer, options.Value, RawFormat.Ecs, bulk.Documents, context.User.IngestSource(null, "elasticsearch"), ct)
            .ConfigureAwait(false);
        return refused ?? Results.Stream(
            async stream => await WriteBulkAnswerAsync(stream, bulk.Items, Stopwatch.GetElapsedTime(started)).ConfigureAwait(false),
            ContentType(context));
    }

    /// <summary>Elasticsearch's bulk answer: <c>took</c>, <c>errors</c>, and one item per action, in order.</summary>
    private static async Task WriteBulkAnswerAsync(Stream stream, List<BulkItem> items, TimeSpan took)
    {
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteNumber("took", (long)took.TotalMilliseconds);
        json.WriteBoolean("errors", items.Exists(i => i.ErrorType is not null));
        json.WriteStartArray("items");
        var sequence = 0L;
        foreach (var item in items)
        {
            json.WriteStartObject();
            json.WriteStartObject(item.Action);
            json.WriteString("_index", item.Index);
            json.WriteString("_id", item.Id);
            json.WriteNumber("status", item.Status);
            if (item.ErrorType is null)
            {
                json.WriteNumber("_version", 1);
                json.WriteString("result", "created");
                json.WriteStartObject("_shards");
                json.WriteNumber("total", 1);
                json.WriteNumber("successful", 1);
                json.WriteNumber("failed", 0);
                json.WriteEndObject();
                json.WriteNumber("_seq_no", sequence++);
                json.WriteNumber("_primary_term", 1);
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("type", item.ErrorType);
                json.WriteString("reason", item.ErrorReason);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>An error in Elasticsearch's shape, which its clients read the reason from.</summary>
    private static IResult Error(int status, string type, string reason) => Results.Json(
        new { error = new { root_cause = new[] { new { type, reason } }, type, reason }, status },
        statusCode: status);

    private static IResult Json(object value) => Results.Json(value);

    /// <summary>Elasticsearch answers in the compatible-with media type a client asked for, else plain JSON.</summary>
    private static string ContentType(HttpContext context) =>
        context.Request.Headers.Accept.ToString() is var accept && accept.Contains("vnd.elasticsearch+json", StringComparison.OrdinalIgnoreCase)
            ? accept.Split(',')[0].Trim()
            : "application/json";
}
