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
/// original does once durable: Seq's <c>/api/events/raw</c>, Graylog's GELF <c>/gelf</c>, OpenTelemetry's OTLP/HTTP
/// <c>/v1/logs</c> and Loki's <c>/loki/api/v1/push</c>.
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

        app.MapWireInput("/v1/logs", OtlpInput)
            .WithName("IngestOtlpLogs")
            .WithSummary("Ingest OpenTelemetry logs over OTLP/HTTP.")
            .WithDescription("""
                OTLP/HTTP's logs endpoint: an ExportLogsServiceRequest as protobuf (application/x-protobuf) or OTLP/JSON
                (application/json), gzip accepted. Severity, body, attributes, resource attributes (service.name ...), trace
                and span ids become the event. Answers 200 with an empty ExportLogsServiceResponse in the request's encoding
                once durable; 400 with the reason for a body that is not an export request, 415 for another content type.
                """)
            .Accepts<string>("application/x-protobuf", "application/json", "*/*")
            .Produces(StatusCodes.Status200OK);

        app.MapWireInput("/loki/api/v1/push", LokiInput)
            .WithName("IngestLokiPush")
            .WithSummary("Ingest a Loki push.")
            .WithDescription("""
                Loki's push API: a PushRequest as snappy-compressed protobuf (application/x-protobuf), or JSON
                ({"streams":[{"stream":{labels},"values":[["<unix ns>","<line>"]]}]}, gzip accepted). Each entry becomes an
                event: its time, its line (read like a text line when no label gives the level), its stream's labels and
                structured metadata as fields. Answers 204 once durable; 400 with the reason, 415 for another content type.
                """)
            .Accepts<string>("application/x-protobuf", "application/json", "*/*")
            .Produces(StatusCodes.Status204NoContent);
    }

    private const string Json = "application/json";

    private static readonly WireInput OtlpInput = new(
        RawFormat.Otlp,
        "otlp",
        "OTLP/HTTP sends application/x-protobuf or application/json",
        (mediaType, body, _) => mediaType switch
        {
            Json => OtlpLogs.FromJson(body.Span).Lines,
            "application/x-protobuf" or "application/protobuf" => OtlpLogs.FromProtobuf(body.Span).Lines,
            _ => (ReadOnlyMemory<byte>?)null,
        },
        mediaType => mediaType == Json ? Results.Text("{}", Json) : Results.Bytes([], "application/x-protobuf"));

    private static readonly WireInput LokiInput = new(
        RawFormat.Loki,
        "loki",
        "Loki's push takes snappy-compressed protobuf (application/x-protobuf) or application/json",
        (mediaType, body, limits) => mediaType switch
        {
            Json => LokiPush.FromJson(body.Span).Lines,
            "application/x-protobuf" => LokiPush.FromSnappyProtobuf(body.Span, limits.MaxDecompressedBytes).Lines,
            _ => (ReadOnlyMemory<byte>?)null,
        },
        _ => Results.NoContent());

    /// <summary>
    /// A wire format read whole and translated into lines of <paramref name="Format"/>: <paramref name="Translate"/> gives
    /// the lines for a media type (null: not one it takes; <see cref="InvalidDataException"/>: malformed, with the reason;
    /// <see cref="RecordTooLargeException"/>: too large once inflated),
    /// <paramref name="Answer"/> the answer to a durable request in that media type.
    /// </summary>
    private sealed record WireInput(
        RawFormat Format,
        string DefaultSource,
        string MediaTypes,
        Func<string, ReadOnlyMemory<byte>, IngestOptions, ReadOnlyMemory<byte>?> Translate,
        Func<string, IResult> Answer);

    private static RouteHandlerBuilder MapWireInput(this WebApplication app, string pattern, WireInput input) =>
        app.MapPost(pattern, (HttpContext context, RawWriter writer, IOptions<IngestOptions> options, CancellationToken ct) =>
                AcceptWireAsync(context, writer, options.Value, input, ct))
            .WithTags("Shipper inputs")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .DisableAntiforgery()
            .RequireAuthorization(Policies.Ingest);

    private static async Task<IResult> AcceptWireAsync(HttpContext context, RawWriter writer, IngestOptions limits, WireInput input, CancellationToken ct)
    {
        var mediaType = (context.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var (body, problem) = await IngestEndpoints.ReadBodyAsync(context, limits, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        ReadOnlyMemory<byte>? lines;
        try
        {
            lines = input.Translate(mediaType, body, limits);
        }
        catch (Exception ex) when (IngestEndpoints.Refusal(ex) is { } refusal)
        {
            return refusal;
        }

        if (lines is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported format",
                detail: $"{input.MediaTypes}; got '{context.Request.ContentType}'.");
        }

        var (_, refused) = await IngestEndpoints.AppendLinesAsync(context, writer, limits, input.Format, lines.Value, context.User.IngestSource(null, input.DefaultSource), ct)
            .ConfigureAwait(false);
        return refused ?? input.Answer(mediaType);
    }

    /// <summary>POST <paramref name="pattern"/>: the body in <paramref name="format"/>, answered with <paramref name="answer"/> once durable.</summary>
    private static RouteHandlerBuilder MapInput(this WebApplication app, string pattern, RawFormat format, string defaultSource, IResult answer) =>
        app.MapPost(pattern, async (HttpContext context, RawWriter writer, IOptions<IngestOptions> options, [FromQuery] string? source, CancellationToken ct) =>
            {
                var (_, problem) = await IngestEndpoints.AcceptAsync(context, writer, options.Value, format, context.User.IngestSource(source, defaultSource), ct)
                    .ConfigureAwait(false);
                return problem ?? answer;
            })
            .WithTags("Shipper inputs")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery()
            .RequireAuthorization(Policies.Ingest);
}
