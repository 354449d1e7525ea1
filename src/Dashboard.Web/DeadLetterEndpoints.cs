using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web;

/// <summary>The dead letters: records the parser could not read, with their reason and original bytes, and their redrive.</summary>
internal static class DeadLetterEndpoints
{
    public static void MapDeadLetters(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Dead letters");
        api.MapGet("/dead-letters", ListAsync).WithName("ListDeadLetters")
            .WithSummary("Dead letters, newest first, paginated (page, page_size ≤ 500); file narrows to one upload's.")
            .Produces<DeadLetterList>().RequireAuthorization(Policies.Viewer);
        api.MapGet("/dead-letters/{position}", GetAsync).WithName("GetDeadLetter")
            .WithSummary("One dead letter by position (partition:offset): every header, the original bytes as text and as base64.")
            .Produces<DeadLetterView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(Policies.Viewer);
        api.MapPost("/dead-letters/redrive", RedriveAsync).WithName("RedriveDeadLetters")
            .WithSummary("Re-send dead letters' original bytes through the parser, once each: positions (partition:offset) or all: true; format reads them as another format; dry_run sends nothing.")
            .Produces<RedriveResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(Policies.Editor);
    }

    private static async Task<IResult> ListAsync(DeadLetterQueue queue, [FromQuery] int? page, [FromQuery(Name = "page_size")] int? pageSize, [FromQuery] string? file, CancellationToken ct)
    {
        var p = Math.Max(1, page ?? 1);
        var size = Math.Clamp(pageSize ?? 50, 1, 500);
        var result = await queue.ListNewestAsync((p - 1) * size, size, string.IsNullOrWhiteSpace(file) ? null : file, ct).ConfigureAwait(false);
        return Results.Ok(new DeadLetterList(result.Total, p, size, [.. result.Letters.Select(DeadLetterView.Of)]));
    }

    private static async Task<IResult> GetAsync(string position, DeadLetterQueue queue, CancellationToken ct) =>
        DeadLetterPosition.TryParse(position, out var at)
            ? Results.Ok(DeadLetterView.Of(await queue.GetAsync(at, ct).ConfigureAwait(false)))
            : BadPosition(position);

    private static async Task<IResult> RedriveAsync(RedriveRequest body, DeadLetterQueue queue, HttpContext http, CancellationToken ct)
    {
        var positions = new List<DeadLetterPosition>();
        foreach (var text in body.Positions ?? [])
        {
            if (!DeadLetterPosition.TryParse(text, out var position))
            {
                return BadPosition(text);
            }

            positions.Add(position);
        }

        if (body.All == positions.Count > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Nothing selected", detail: "Give either \"all\": true or the \"positions\" (partition:offset) of the dead letters to redrive.");
        }

        RawFormat? format = null;
        if (!string.IsNullOrEmpty(body.Format))
        {
            format = RawFormats.FromName(body.Format);
            if (format is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown format", detail: $"'{body.Format}' is not one of {string.Join(", ", Enum.GetValues<RawFormat>().Select(RawFormats.Name))}.");
            }
        }

        var result = await queue.RedriveAsync(body.All ? null : positions, format, body.DryRun, Accounts.ActorOf(http), ct).ConfigureAwait(false);

        return Results.Ok(new RedriveResponse(result.Resent, result.Skipped, result.DryRun, [.. result.Items.Select(i => new RedriveItemView(i.Position.ToString(), i.Origin, i.Resent))]));
    }

    private static IResult BadPosition(string text) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid position", detail: $"'{text}' is not a dead letter's position: write partition:offset, e.g. 0:42.");
}

/// <summary>What to redrive: <c>positions</c> or <c>all</c>, optionally read as <c>format</c>; <c>dry_run</c> sends nothing.</summary>
public sealed record RedriveRequest(IReadOnlyList<string>? Positions, bool All, string? Format, bool DryRun);

public sealed record RedriveItemView(string Position, string Origin, bool Resent);

public sealed record RedriveResponse(int Resent, int Skipped, bool DryRun, IReadOnlyList<RedriveItemView> Items);

public sealed record DeadLetterList(long Total, int Page, int PageSize, IReadOnlyList<DeadLetterView> Items);

/// <summary>A dead letter for the API: position, reason, origin, and the original bytes as text (escaped where not printable) and base64.</summary>
public sealed record DeadLetterView(
    string Position,
    DateTimeOffset AppendedAt,
    string? FailedAt,
    string? ErrorType,
    string? ErrorMessage,
    string Origin,
    string? Source,
    string? Format,
    string? FileId,
    int Attempt,
    int Size,
    IReadOnlyDictionary<string, string> Headers,
    string OriginalText,
    string OriginalBase64)
{
    public static DeadLetterView Of(DeadLetter d) => new(
        d.Position.ToString(), d.AppendedAt, d.FailedAt, d.ErrorType, d.ErrorMessage, d.Origin, d.Source, d.Format, d.FileId, d.Attempt, d.Original.Length,
        d.Headers.GroupBy(h => h.Key).ToDictionary(g => g.Key, g => DeadLetter.Printable(g.Last().Value.Span)),
        d.Text,
        Convert.ToBase64String(d.Original.Span));
}
