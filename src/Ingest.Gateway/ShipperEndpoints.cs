using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Ingest.Gateway.Wire;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway;

/// <summary>
/// The HTTP endpoints of other log servers that shippers already send to, each taking one format and answering as the
/// original does once durable: Seq's <c>/api/events/raw</c>, Graylog's GELF <c>/gelf</c> and OpenTelemetry's OTLP/HTTP <c>/v1/logs</c>.
/// </summary>
internal static class ShipperEndpoints
{
    // Seq's answer: no minimum level is imposed on the client.
    private static readonly IResult SeqAnswer = Results.Text("""{"MinimumLevelAccepted":null}""", "application/json", statusCode: StatusCodes.Status201Created);

    public static void MapShipperInputs(this WebApplication app)
    {
        app.MapInput("/api/events/raw", RawFormat.Clef, "seq", SeqAnswer)
            .WithName("IngestSeq")
            .WithSummary("Ingest Compact Log Event Format (CLEF) as Seq does.")
            .WithDescription("""
                The endpoint of Seq's ingestion API: one CLEF JSON object per line (application/vnd.serilog.clef; `?clef` is
                accepted and changes nothing, the body is always read as CLEF). Gzip bodies are accepted. Answers 201
                {"MinimumLevelAccepted":null} once the events are durable; an ingest key may come as X-Seq-ApiKey.
                """)
            .Accepts<string>("application/vnd.serilog.clef", "application/json", "application/x-ndjson", "text/plain", "*/*")
            .Produces(StatusCodes.Status201Created);

        app.MapInput("/gelf", RawFormat.Gelf, "gelf", Results.Accepted())
            .WithName("IngestGelf")
            .WithSummary("Ingest one GELF message, as Graylog's GELF HTTP input does.")
            .WithDescription("""
                Body: one GELF JSON object (short_message, full_message, timestamp, level, host, _-fields), plain or with
                Content-Encoding: gzip. Answers 202 once durable; 400 with the reason when the body is not JSON.
                """)
            .Accepts<string>("application/json", "text/plain", "*/*")
            .Produces(StatusCodes.Status202Accepted);

        app.MapPost("/v1/logs", OtlpLogsAsync)
            .WithName("IngestOtlpLogs")
            .WithSummary("Ingest OpenTelemetry logs over OTLP/HTTP.")
            .WithDescription("""
                OTLP/HTTP's logs endpoint: an ExportLogsServiceRequest as protobuf (application/x-protobuf) or OTLP/JSON
                (application/json), gzip accepted. Severity, body, attributes, resource attributes (service.name ...), trace
                and span ids become the event. Answers 200 with an empty ExportLogsServiceResponse in the request's encoding
                once durable; 400 with the reason for a body that is not an export request, 415 for another content type.
                """)
            .Accepts<string>("application/x-protobuf", "application/json", "*/*")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .DisableAntiforgery()
            .RequireAuthorization(Policies.Ingest);
    }

    /// <summary>POST /v1/logs: the export request stored as log records, answered with an empty <c>ExportLogsServiceResponse</c> in its own encoding once durable.</summary>
    private static async Task<IResult> OtlpLogsAsync(HttpContext context, RawWriter writer, IOptions<IngestOptions> options, CancellationToken ct)
    {
        var mediaType = (context.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var protobuf = mediaType is "application/x-protobuf" or "application/protobuf";
        if (!protobuf && mediaType != "application/json")
        {
            return Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported format",
                detail: $"OTLP/HTTP sends application/x-protobuf or application/json; got '{context.Request.ContentType}'.");
        }

        var (body, problem) = await IngestEndpoints.ReadBodyAsync(context, options.Value, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        OtlpLogs logs;
        try
        {
            logs = protobuf ? OtlpLogs.FromProtobuf(body.Span) : OtlpLogs.FromJson(body.Span);
        }
        catch (InvalidDataException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body", detail: ex.Message);
        }

        var (_, refused) = await IngestEndpoints.AppendLinesAsync(writer, options.Value, RawFormat.Otlp, logs.Lines, context.User.IngestSource(null, "otlp"), ct)
            .ConfigureAwait(false);
        return refused ?? (protobuf ? Results.Bytes([], "application/x-protobuf") : Results.Text("{}", "application/json"));
    }

    /// <summary>POST <paramref name="pattern"/>: the body in <paramref name="format"/>, answered with <paramref name="answer"/> once durable.</summary>
    private static RouteHandlerBuilder MapInput(this WebApplication app, string pattern, RawFormat format, string defaultSource, IResult answer) =>
        app.MapPost(pattern, async (HttpContext context, RawWriter writer, IOptions<IngestOptions> options, [FromQuery] string? source, CancellationToken ct) =>
            {
                var (_, problem) = await IngestEndpoints.AcceptAsync(context, writer, options.Value, format, context.User.IngestSource(source, defaultSource), ct)
                    .ConfigureAwait(false);
                return problem ?? answer;
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery()
            .RequireAuthorization(Policies.Ingest);
}
