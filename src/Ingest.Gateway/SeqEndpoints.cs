using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway;

/// <summary>
/// Seq's ingestion endpoint, so Serilog.Sinks.Seq and other Seq clients send here unchanged: CLEF lines in, answered as
/// Seq answers (201 with the minimum level accepted, none here) once durable.
/// </summary>
internal static class SeqEndpoints
{
    // Seq's answer: no minimum level is imposed on the client.
    private const string SeqAnswer = """{"MinimumLevelAccepted":null}""";

    public static void MapSeq(this WebApplication app) => app.MapPost("/api/events/raw", IngestClefAsync)
        .WithName("IngestSeq")
        .WithSummary("Ingest Compact Log Event Format (CLEF) as Seq does.")
        .WithDescription("""
            The endpoint of Seq's ingestion API: one CLEF JSON object per line (application/vnd.serilog.clef; `?clef` is
            accepted and changes nothing, the body is always read as CLEF). Gzip bodies are accepted. Answers 201
            {"MinimumLevelAccepted":null} once the events are durable; an ingest key may come as X-Seq-ApiKey.
            """)
        .Accepts<string>("application/vnd.serilog.clef", "application/json", "application/x-ndjson", "text/plain")
        .Produces(StatusCodes.Status201Created)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .DisableAntiforgery()
        .RequireAuthorization(Policies.Ingest);

    private static async Task<IResult> IngestClefAsync(
        HttpContext context,
        RawWriter writer,
        IOptions<IngestOptions> options,
        [FromQuery] string? source,
        CancellationToken ct)
    {
        var (_, problem) = await IngestEndpoints.AcceptAsync(context, writer, options.Value, RawFormat.Clef, context.User.IngestSource(source, "seq"), ct)
            .ConfigureAwait(false);
        return problem ?? Results.Text(SeqAnswer, "application/json", statusCode: StatusCodes.Status201Created);
    }
}
