using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway;

/// <summary>Graylog's GELF HTTP input: one GELF message per request, answered 202 once durable.</summary>
internal static class GelfEndpoints
{
    public static void MapGelf(this WebApplication app) => app.MapPost("/gelf", IngestGelfAsync)
        .WithName("IngestGelf")
        .WithSummary("Ingest one GELF message, as Graylog's GELF HTTP input does.")
        .WithDescription("""
            Body: one GELF JSON object (short_message, full_message, timestamp, level, host, _-fields), plain or with
            Content-Encoding: gzip. Answers 202 once durable; 400 with the reason when the body is not JSON.
            """)
        .Accepts<string>("application/json", "text/plain")
        .Produces(StatusCodes.Status202Accepted)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .DisableAntiforgery()
        .RequireAuthorization(Policies.Ingest);

    private static async Task<IResult> IngestGelfAsync(
        HttpContext context,
        RawWriter writer,
        IOptions<IngestOptions> options,
        [FromQuery] string? source,
        CancellationToken ct)
    {
        var (_, problem) = await IngestEndpoints.AcceptAsync(context, writer, options.Value, RawFormat.Gelf, context.User.IngestSource(source, "gelf"), ct)
            .ConfigureAwait(false);
        return problem ?? Results.Accepted();
    }
}
