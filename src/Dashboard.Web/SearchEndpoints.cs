using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web;

/// <summary>Log search, single events, the live tail as a stream, CSV export, saved searches and search history.</summary>
internal static class SearchEndpoints
{
    private const string QueryHelp = "Query string: q (Lucene syntax, e.g. level:ERROR AND endpoint:\"/api/users\"; empty = all), level, service, endpoint, server (comma-separated), status (2xx,4xx,5xx), file_id, from, to (ISO-8601 or now-24h), sort (newest|oldest|slowest), page, page_size (≤ 1000), cursor (next_cursor of the previous page, to go past 10,000 hits).";

    public static void MapSearch(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Search").RequireAuthorization(Policies.Viewer);
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
        api.MapGet("/live", Live).WithName("LiveTail")
            .WithSummary("Events as they arrive, as server-sent events: a 'subscribed' item once the filter is accepted, then one 'event' item per matching event (JSON), and a 'sampled' item with the count of matching events left out when more arrive than 4,000 a second.")
            .WithDescription("Query string: q (Lucene syntax; empty = all). The stream starts at the events arriving from now on and runs until the client closes it.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/saved-searches", async (HttpContext http, IMetadataStore store, CancellationToken ct) =>
                Results.Ok((await store.ListSavedSearchesAsync(null, ct)).Where(s => s.Owner is null || s.Owner == http.User.UserId())))
            .WithName("ListSavedSearches").WithSummary("Your saved searches and the shared ones.");
        api.MapPost("/saved-searches", SaveAsync).WithName("SaveSearch")
            .WithSummary("Save a search (name, query, filters); shared: true makes it visible to everyone (editor and up).")
            .Produces<SavedSearch>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapDelete("/saved-searches/{id}", DeleteSavedAsync).WithName("DeleteSavedSearch")
            .WithSummary("Delete a saved search: your own; a shared one as editor; any as admin.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/search-history", async (HttpContext http, IMetadataStore store, [FromQuery] int? limit, CancellationToken ct) =>
                Results.Ok(await store.ListSearchHistoryAsync(http.User.UserId(), Math.Clamp(limit ?? 50, 1, 1000), ct)))
            .WithName("SearchHistory").WithSummary("Your recent searches, newest first.");
    }

    private static async Task<IResult> SearchAsync(HttpContext http, ISearchStore search, IMetadataStore metadata, TimeProvider time, CancellationToken ct)
    {
        var p = SearchParameters.From(http.Request, time.GetUtcNow());
        var started = Stopwatch.GetTimestamp();
        var page = await search.SearchAsync(p.ToRequest(), ct).ConfigureAwait(false);
        var took = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await metadata.AddSearchHistoryAsync(new SearchHistoryEntry(p.Query.Text ?? "", p.Filters(), page.Total, took, http.User.UserId(), time.GetUtcNow()), ct).ConfigureAwait(false);
        return Results.Ok(new SearchResponse(page.Total, p.Page, p.PageSize, Math.Round(took, 2), page.NextCursor, page.Hits));
    }

    private static IResult Live(LiveFeed feed, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, [FromQuery] string? q, CancellationToken ct)
    {
        var query = q?.Trim() ?? "";
        feed.Validate(query);
        return TypedResults.ServerSentEvents(LiveItemsAsync(feed, query, json.Value.SerializerOptions, ct));
    }

    /// <summary>What arrived since the last tick, every quarter second: the events oldest first, then how many were left out.</summary>
    private static async IAsyncEnumerable<SseItem<string>> LiveItemsAsync(LiveFeed feed, string query, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken ct)
    {
        using var subscription = feed.Subscribe(query, capacity: 1_000);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        yield return new SseItem<string>(JsonSerializer.Serialize(new { query }, json), "subscribed");
        while (await TickAsync(timer, ct).ConfigureAwait(false))
        {
            var (events, skipped) = subscription.Take();
            foreach (var e in events)
            {
                yield return new SseItem<string>(JsonSerializer.Serialize(e, json), "event");
            }

            if (skipped > 0)
            {
                yield return new SseItem<string>($$"""{"skipped":{{skipped}}}""", "sampled");
            }
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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

    private static async Task<IResult> SaveAsync(HttpContext http, SaveSearchRequest body, IMetadataStore store, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Name required", detail: "A saved search needs a name.");
        }

        if (body.Shared && !http.User.IsInRole(Policies.Editor))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Sharing a saved search needs the role editor or higher; save it for yourself instead.");
        }

        // A shared search has no owner: everyone sees it.
        var owner = body.Shared ? null : http.User.UserId();
        var saved = await store.SaveSearchAsync(
            new SavedSearch(Guid.NewGuid().ToString("N"), body.Name.Trim(), body.Query ?? "", body.Filters ?? new Dictionary<string, string>(), owner, time.GetUtcNow()),
            ct).ConfigureAwait(false);
        return Results.Created($"/api/saved-searches/{saved.Id}", saved);
    }

    private static async Task<IResult> DeleteSavedAsync(string id, HttpContext http, IMetadataStore store, CancellationToken ct)
    {
        var user = http.User;
        var search = (await store.ListSavedSearchesAsync(null, ct).ConfigureAwait(false)).FirstOrDefault(s => s.Id == id);
        var mayDelete = search is not null
            && (search.Owner == user.UserId() || (search.Owner is null && user.IsInRole(Policies.Editor)) || user.IsInRole(Policies.Admin));
        var visible = search is not null && (search.Owner is null || search.Owner == user.UserId() || user.IsInRole(Policies.Admin));
        if (!visible)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No saved search '{id}'.");
        }

        if (!mayDelete)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Deleting a shared saved search needs the role editor or higher.");
        }

        await store.DeleteSavedSearchAsync(id, ct).ConfigureAwait(false);
        return Results.NoContent();
    }
}

public sealed record SearchResponse(long Total, int Page, int PageSize, double TookMs, string? NextCursor, IReadOnlyList<LogEvent> Hits);

public sealed record SaveSearchRequest(string Name, string? Query, Dictionary<string, string>? Filters, bool Shared = false);
