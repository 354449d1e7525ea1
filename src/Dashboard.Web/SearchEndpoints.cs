using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;

namespace Dashboard.Web;

/// <summary>Log search, single events, CSV export, saved searches and search history.</summary>
internal static class SearchEndpoints
{
    private const string QueryHelp = "Query string: q (Lucene syntax, e.g. level:ERROR AND endpoint:\"/api/users\"; empty = all), level, service, endpoint, server (comma-separated), status (2xx,4xx,5xx), file_id, from, to (ISO-8601 or now-24h), sort (newest|oldest|slowest), page, page_size (≤ 1000), cursor (next_cursor of the previous page, to go past 10,000 hits).";

    public static void MapSearch(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Search");
        api.MapGet("/search", SearchAsync).WithName("Search").WithSummary("Search events.").WithDescription(QueryHelp)
            .Produces<SearchResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/logs", SearchAsync).WithName("Logs").WithSummary("Events, newest first, paginated (same parameters as /api/search).")
            .WithDescription(QueryHelp).Produces<SearchResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/logs/{id}", GetAsync).WithName("GetLog").WithSummary("One event by id.")
            .Produces<LogEvent>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/export", ExportAsync).WithName("Export")
            .WithSummary("Matching events as CSV, streamed (limit ≤ 1,000,000, default 100,000).")
            .WithDescription(QueryHelp + " Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        api.MapGet("/saved-searches", async (IMetadataStore store, CancellationToken ct) => Results.Ok(await store.ListSavedSearchesAsync(null, ct)))
            .WithName("ListSavedSearches").WithSummary("Saved searches.");
        api.MapPost("/saved-searches", SaveAsync).WithName("SaveSearch").WithSummary("Save a search (name, query, filters).")
            .Produces<SavedSearch>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapDelete("/saved-searches/{id}", async (string id, IMetadataStore store, CancellationToken ct) =>
                await store.DeleteSavedSearchAsync(id, ct) ? Results.NoContent() : Results.Problem(statusCode: 404, title: "Not found", detail: $"No saved search '{id}'."))
            .WithName("DeleteSavedSearch").WithSummary("Delete a saved search.");
        api.MapGet("/search-history", async (IMetadataStore store, [FromQuery] int? limit, CancellationToken ct) =>
                Results.Ok(await store.ListSearchHistoryAsync(null, Math.Clamp(limit ?? 50, 1, 1000), ct)))
            .WithName("SearchHistory").WithSummary("Recent searches, newest first.");
    }

    private static async Task<IResult> SearchAsync(HttpRequest request, ISearchStore search, IMetadataStore metadata, TimeProvider time, CancellationToken ct)
    {
        var p = SearchParameters.From(request, time.GetUtcNow());
        var started = Stopwatch.GetTimestamp();
        var page = await search.SearchAsync(p.ToRequest(), ct).ConfigureAwait(false);
        var took = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await metadata.AddSearchHistoryAsync(new SearchHistoryEntry(p.Query.Text ?? "", p.Filters(), page.Total, took, null, time.GetUtcNow()), ct).ConfigureAwait(false);
        return Results.Ok(new SearchResponse(page.Total, p.Page, p.PageSize, Math.Round(took, 2), page.NextCursor, page.Hits));
    }

    private static async Task<IResult> GetAsync(string id, ISearchStore search, CancellationToken ct) =>
        await search.GetAsync(id, ct).ConfigureAwait(false) is { } e
            ? Results.Ok(e)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Event not found", detail: $"No event with id '{id}'.");

    private static async Task ExportAsync(HttpContext context, ISearchStore search, TimeProvider time, [FromQuery] int? limit, CancellationToken ct)
    {
        var p = SearchParameters.From(context.Request, time.GetUtcNow());
        var max = Math.Clamp(limit ?? 100_000, 1, 1_000_000);

        // The first page is read before the headers go out, so a bad query still answers 400.
        var request = new SearchRequest(p.Query) { Sort = p.Sort, Size = Math.Min(SearchRequest.MaxSize, max) };
        var page = await search.SearchAsync(request, ct).ConfigureAwait(false);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"saasmonitor-export.csv\"";
        var writer = new StreamWriter(context.Response.Body, new System.Text.UTF8Encoding(false), 64 * 1024);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync(CsvExport.Header).ConfigureAwait(false);
            var written = 0;
            while (true)
            {
                foreach (var e in page.Hits.Take(max - written))
                {
                    await writer.WriteLineAsync(CsvExport.Row(e)).ConfigureAwait(false);
                    written++;
                }

                if (written >= max || page.NextCursor is null)
                {
                    break;
                }

                page = await search.SearchAsync(request with { After = page.NextCursor }, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task<IResult> SaveAsync(SaveSearchRequest body, IMetadataStore store, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Name required", detail: "A saved search needs a name.");
        }

        var saved = await store.SaveSearchAsync(
            new SavedSearch(Guid.NewGuid().ToString("N"), body.Name.Trim(), body.Query ?? "", body.Filters ?? new Dictionary<string, string>(), null, time.GetUtcNow()),
            ct).ConfigureAwait(false);
        return Results.Created($"/api/saved-searches/{saved.Id}", saved);
    }
}

public sealed record SearchResponse(long Total, int Page, int PageSize, double TookMs, string? NextCursor, IReadOnlyList<LogEvent> Hits);

public sealed record SaveSearchRequest(string Name, string? Query, Dictionary<string, string>? Filters);
