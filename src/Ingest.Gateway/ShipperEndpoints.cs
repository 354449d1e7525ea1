using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway;

/// <summary>
/// The HTTP endpoints of other log servers that shippers already send to, each taking one format and answering as the
/// original does once durable: Seq's <c>/api/events/raw</c> and Graylog's GELF <c>/gelf</c>.
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
