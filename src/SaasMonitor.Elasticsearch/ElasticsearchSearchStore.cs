using System.Globalization;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.Mapping;
using Elastic.Clients.Elasticsearch.QueryDsl;
using Elastic.Transport.Products.Elasticsearch;
using ErrorCause = Elastic.Clients.Elasticsearch.ErrorCause;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using EsSearchRequest = Elastic.Clients.Elasticsearch.SearchRequest;
using SearchRequest = SaasMonitor.Core.Search.SearchRequest;

namespace SaasMonitor.Elasticsearch;

/// <summary>
/// The log index on Elasticsearch: one index per UTC day of the event time (<c>{prefix}-events-yyyy.MM.dd</c>), created
/// from <see cref="EventIndexTemplate"/> on first write, so retention deletes whole days. Upserts are <c>_bulk</c> index
/// actions under the event's deterministic id; each item's answer is handled on its own: written (or 409, already
/// there) is done, 429 and 5xx are sent again after a back-off with jitter, anything else is refused for good with
/// Elasticsearch's reason. Walking hits past the first page reads one point in time, carried in the cursor.
/// </summary>
internal sealed class ElasticsearchSearchStore(ElasticsearchClient client, ElasticsearchOptions options, TimeProvider time) : ISearchStore
{
    private const string DayFormat = "yyyy.MM.dd";
    private const string Aggregation = "a";

    /// <summary>How long a point in time is kept between two pages of a walk.</summary>
    private static readonly Duration PointInTimeKeepAlive = "2m";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _indexPrefix = options.IndexPrefix + "-events-";
    private readonly Lock _templateLock = new();
    private Task? _template;

    private string Pattern => _indexPrefix + "*";

    private string IndexOf(DateTimeOffset at) => _indexPrefix + at.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture);

    public Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, CancellationToken ct) =>
        UpsertAsync(events, null, ct);

    public async Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, IReadOnlyList<ReadOnlyMemory<byte>>? json, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (json is not null && json.Count != events.Count)
        {
            throw new ArgumentException($"{json.Count} JSON forms were given for {events.Count} events.", nameof(json));
        }

        if (events.Count == 0)
        {
            return [];
        }

        await EnsureTemplateAsync(ct).ConfigureAwait(false);
        var rejected = new List<RejectedEvent>();
        IReadOnlyList<int> pending = [.. Enumerable.Range(0, events.Count)];
        for (var attempt = 1; ; attempt++)
        {
            var operations = new BulkOperationsCollection();
            foreach (var i in pending)
            {
                var e = events[i];
                operations.Add(new BulkIndexOperation<EventDocument>(new EventDocument(e, json?[i] ?? default), IndexOf(e.Timestamp)) { Id = e.Id });
            }

            var response = await client.BulkAsync(new BulkRequest { Operations = operations }, ct).ConfigureAwait(false);
            var (again, reason) = SplitAnswer(response, pending, rejected);
            if (again.Count == 0)
            {
                rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
                return rejected;
            }

            if (attempt >= options.BulkAttempts)
            {
                throw new SearchUnavailableException(
                    $"Elasticsearch did not take {again.Count} of {events.Count} events after {attempt} attempts: {reason}", response.ApiCallDetails.OriginalException);
            }

            await Task.Delay(Backoff(attempt), time, ct).ConfigureAwait(false);
            pending = again;
        }
    }

    /// <summary>
    /// Splits a bulk answer: events written (or already there, 409) are done; refused ones (any other 4xx) go to
    /// <paramref name="rejected"/>; the rest (429, 5xx, or the whole request failed) are returned to be sent again.
    /// </summary>
    private static (IReadOnlyList<int> Again, string Reason) SplitAnswer(BulkResponse response, IReadOnlyList<int> pending, List<RejectedEvent> rejected)
    {
        var items = response.Items;
        if (items is null || items.Count != pending.Count)
        {
            var status = response.ApiCallDetails.HttpStatusCode;
            if (status is >= 400 and < 500 and not 429)
            {
                throw new InvalidOperationException($"Elasticsearch refused the bulk request ({status}): {Describe(response)}");
            }

            return (pending, Describe(response));
        }

        var again = new List<int>();
        var reason = "";
        var k = 0;
        foreach (var item in items)
        {
            var index = pending[k++];
            if (item.Status is >= 200 and < 300 or 409)
            {
                continue;
            }

            if (item.Status is 429 or >= 500)
            {
                again.Add(index);
                reason = $"{item.Status} {Describe(item.Error)}";
            }
            else
            {
                rejected.Add(new RejectedEvent(index, $"{item.Status} {Describe(item.Error)}"));
            }
        }

        return (again, reason);
    }

    /// <summary>Doubling from <see cref="ElasticsearchOptions.RetryBackoff"/>, half of it random, so writers that failed together do not retry together.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var full = Math.Min(options.RetryBackoff.Ticks * (1L << Math.Min(attempt - 1, 20)), MaxBackoff.Ticks);
        return TimeSpan.FromTicks((full / 2) + (long)(Random.Shared.NextDouble() * (full / 2)));
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        var response = await client.Indices.RefreshAsync(new RefreshRequest(Pattern), ct).ConfigureAwait(false);
        ThrowIfFailed(response, "refresh the index");
    }

    public async Task<SearchPage> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ThrowIfOutOfBounds();
        var sort = SortOf(request.Sort);
        var cursor = request.After is null ? null : EventCursor.Decode(request.Sort, request.After, sort.Count);
        var query = EventQueries.For(request.Query);
        if (request.Size == 0)
        {
            return new SearchPage(await CountAsync(query, ct).ConfigureAwait(false), [], null);
        }

        // One hit more than the page tells whether another page follows.
        var fetch = Math.Min(request.Size + 1, SearchRequest.MaxFromPlusSize - request.From);
        var pit = cursor is null ? null : cursor.PointInTime ?? await OpenPointInTimeAsync(ct).ConfigureAwait(false);
        var response = await SearchPageAsync(query, sort, request.From, fetch, cursor?.After, pit, ct).ConfigureAwait(false);
        if (pit is not null && IsMissingContext(response))
        {
            // The point in time expired between two pages: continue from the same sort values on a new one.
            pit = await OpenPointInTimeAsync(ct).ConfigureAwait(false);
            response = await SearchPageAsync(query, sort, request.From, fetch, cursor?.After, pit, ct).ConfigureAwait(false);
        }

        ThrowIfFailed(response, "search");
        var hits = response.HitsMetadata.Hits.ToList();
        var total = response.Total;
        var more = hits.Count > request.Size || (fetch == request.Size && total > request.From + request.Size && cursor is null);
        var page = hits.Take(request.Size).ToList();
        pit = response.PitId ?? pit;
        string? next = null;
        if (more && page.Count > 0)
        {
            next = new EventCursor(request.Sort, [.. page[^1].Sort!], pit).Encode();
        }
        else if (pit is not null)
        {
            await ClosePointInTimeAsync(pit, ct).ConfigureAwait(false);
        }

        return new SearchPage(total, [.. page.Select(h => h.Source!)], next);
    }

    private Task<SearchResponse<LogEvent>> SearchPageAsync(
        Query query, IReadOnlyList<SortOptions> sort, int from, int size, IReadOnlyList<FieldValue>? after, string? pit, CancellationToken ct)
    {
        var request = new EsSearchRequest
        {
            Query = query,
            Sort = [.. sort],
            Size = size,
            TrackTotalHits = new TrackHits(true),
        };
        if (after is not null)
        {
            request.SearchAfter = [.. after];
        }
        else
        {
            request.From = from;
        }

        if (pit is null)
        {
            request.Indices = Pattern;
        }
        else
        {
            request.Pit = new PointInTimeReference(pit) { KeepAlive = PointInTimeKeepAlive };
        }

        return client.SearchAsync<LogEvent>(request, ct);
    }

    private async Task<string> OpenPointInTimeAsync(CancellationToken ct)
    {
        var response = await client.OpenPointInTimeAsync(new OpenPointInTimeRequest(Pattern) { KeepAlive = PointInTimeKeepAlive }, ct).ConfigureAwait(false);
        ThrowIfFailed(response, "open a point in time");
        return response.Id;
    }

    /// <summary>Releases the point in time of a walk that reached its end; one left open expires by itself.</summary>
    private async Task ClosePointInTimeAsync(string pit, CancellationToken ct) =>
        await client.ClosePointInTimeAsync(new ClosePointInTimeRequest { Id = pit }, ct).ConfigureAwait(false);

    private static bool IsMissingContext(ElasticsearchResponse response) =>
        response.ApiCallDetails.HttpStatusCode == 404
        && response.ElasticsearchServerError?.Error is { } error
        && (error.Type == "search_context_missing_exception" || error.RootCause?.Any(c => c.Type == "search_context_missing_exception") == true);

    /// <summary>The sort of each order, each ending with the id, so equal times keep one order and cursors stay exact.</summary>
    private static IReadOnlyList<SortOptions> SortOf(SearchSort sort) => sort switch
    {
        SearchSort.NewestFirst => [By(EventIndexTemplate.Time, SortOrder.Desc, FieldType.Date), By(EventIndexTemplate.Id, SortOrder.Desc, FieldType.Keyword)],
        SearchSort.OldestFirst => [By(EventIndexTemplate.Time, SortOrder.Asc, FieldType.Date), By(EventIndexTemplate.Id, SortOrder.Asc, FieldType.Keyword)],
        SearchSort.SlowestFirst =>
        [
            By(LogFields.ResponseTimeMs, SortOrder.Desc, FieldType.Double),
            By(EventIndexTemplate.Time, SortOrder.Desc, FieldType.Date),
            By(EventIndexTemplate.Id, SortOrder.Desc, FieldType.Keyword),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "Unknown sort."),
    };

    private static SortOptions By(string field, SortOrder order, FieldType type) =>
        new() { Field = new FieldSort(field) { Order = order, Missing = "_last", UnmappedType = type } };

    public async Task<LogEvent?> GetAsync(string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        var response = await SearchPageAsync(
            new TermQuery(EventIndexTemplate.Id, id), SortOf(SearchSort.NewestFirst), 0, 1, null, null, ct).ConfigureAwait(false);
        ThrowIfFailed(response, "get an event");
        return response.HitsMetadata.Hits.FirstOrDefault()?.Source;
    }

    public Task<long> CountAsync(SearchQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return CountAsync(EventQueries.For(query), ct);
    }

    private async Task<long> CountAsync(Query query, CancellationToken ct)
    {
        var response = await client.CountAsync(new CountRequest(Pattern) { Query = query }, ct).ConfigureAwait(false);
        ThrowIfFailed(response, "count events");
        return response.Count;
    }

    public async Task<IReadOnlyList<TermCount>> TermsAsync(SearchQuery query, string field, int size, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (field != LogFields.StatusCode && !LogFields.Keywords.Contains(field))
        {
            throw new ArgumentException($"'{field}' is not a keyword field; terms can be counted on: {string.Join(", ", [.. LogFields.Keywords, LogFields.StatusCode])}.", nameof(field));
        }

        var terms = new TermsAggregation
        {
            Field = field,
            Size = size,
            Order = [new KeyValuePair<Field, SortOrder>("_count", SortOrder.Desc), new KeyValuePair<Field, SortOrder>("_key", SortOrder.Asc)],
        };
        var aggregates = await AggregateAsync(query, new Aggregation { Terms = terms }, ct).ConfigureAwait(false);
        return aggregates switch
        {
            StringTermsAggregate s => [.. s.Buckets.Select(b => new TermCount(KeyText(b.Key), b.DocCount))],
            LongTermsAggregate l => [.. l.Buckets.Select(b => new TermCount(b.Key.ToString(CultureInfo.InvariantCulture), b.DocCount))],
            _ => [],
        };
    }

    private static string KeyText(FieldValue key) =>
        key.TryGetString(out var s) ? s! : Convert.ToString(key.Value, CultureInfo.InvariantCulture) ?? "";

    public async Task<IReadOnlyList<TimeBucket>> DateHistogramAsync(SearchQuery query, TimeSpan interval, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(1));
        var histogram = new DateHistogramAggregation
        {
            Field = EventIndexTemplate.Time,
            FixedInterval = ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms",
            MinDocCount = 1,
        };
        var aggregates = await AggregateAsync(query, new Aggregation { DateHistogram = histogram }, ct).ConfigureAwait(false);
        return aggregates is DateHistogramAggregate h
            ? [.. h.Buckets.Select(b => new TimeBucket(b.Key, b.DocCount))]
            : [];
    }

    /// <summary>One aggregation over the matching events; null when no index exists yet.</summary>
    private async Task<IAggregate?> AggregateAsync(SearchQuery query, Aggregation aggregation, CancellationToken ct)
    {
        var request = new EsSearchRequest(Pattern)
        {
            Query = EventQueries.For(query),
            Size = 0,
            Aggregations = new Dictionary<string, Aggregation> { [Aggregation] = aggregation },
        };
        var response = await client.SearchAsync<LogEvent>(request, ct).ConfigureAwait(false);
        ThrowIfFailed(response, "aggregate events");
        return response.Aggregations is { } all && all.TryGetAggregate(Aggregation, out IAggregate? found) ? found : null;
    }

    public async Task<long> DeleteAsync(SearchQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await DeleteByQueryAsync(Pattern, EventQueries.For(query), ct).ConfigureAwait(false);
    }

    private async Task<long> DeleteByQueryAsync(string indices, Query query, CancellationToken ct)
    {
        var response = await client.DeleteByQueryAsync(
            new DeleteByQueryRequest(indices) { Query = query, Refresh = true, Conflicts = Conflicts.Proceed }, ct).ConfigureAwait(false);
        ThrowIfFailed(response, "delete events");
        return response.Deleted ?? 0;
    }

    public async Task DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        // GET {pattern} answers on every 9.x server (resolve-index takes POST only from recent ones); aliases are the least it returns.
        var found = await client.Indices.GetAsync(new GetIndexRequest(Pattern) { Features = [Feature.Aliases] }, ct).ConfigureAwait(false);
        ThrowIfFailed(found, "list the daily indices");
        var cutoffDay = DateOnly.FromDateTime(cutoff.UtcDateTime);
        var expired = new List<string>();
        string? cutoffIndex = null;
        foreach (var name in found.Indices.Keys)
        {
            if (!name.StartsWith(_indexPrefix, StringComparison.Ordinal)
                || !DateOnly.TryParseExact(name.AsSpan(_indexPrefix.Length), DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                continue;
            }

            if (day < cutoffDay)
            {
                expired.Add(name);
            }
            else if (day == cutoffDay)
            {
                cutoffIndex = name;
            }
        }

        foreach (var chunk in expired.Chunk(50))
        {
            var deleted = await client.Indices.DeleteAsync(new DeleteIndexRequest(string.Join(',', chunk)), ct).ConfigureAwait(false);
            ThrowIfFailed(deleted, "delete expired days");
        }

        if (cutoffIndex is not null && cutoff > new DateTimeOffset(cutoffDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))
        {
            await DeleteByQueryAsync(cutoffIndex, EventQueries.TimeRange(null, cutoff), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Puts the index template once per process (again after a failure), before the first write creates a day's index.</summary>
    private Task EnsureTemplateAsync(CancellationToken ct)
    {
        lock (_templateLock)
        {
            if (_template is null || _template.IsFaulted || _template.IsCanceled)
            {
                _template = PutTemplateAsync(ct);
            }

            return _template;
        }
    }

    private async Task PutTemplateAsync(CancellationToken ct)
    {
        var response = await client.Indices.PutIndexTemplateAsync(EventIndexTemplate.For(options.IndexPrefix + "-events", Pattern), ct).ConfigureAwait(false);
        ThrowIfFailed(response, "put the index template");
    }

    /// <summary>A 400 is the query's fault (its reason is the message); anything else means the cluster could not answer.</summary>
    private static void ThrowIfFailed(ElasticsearchResponse response, string what)
    {
        if (response.IsValidResponse)
        {
            return;
        }

        if (response.ApiCallDetails.HttpStatusCode == 400)
        {
            var error = response.ElasticsearchServerError?.Error;
            throw new InvalidQueryException((error?.CausedBy ?? error?.RootCause?.FirstOrDefault())?.Reason ?? error?.Reason ?? Describe(response));
        }

        throw new SearchUnavailableException($"Elasticsearch could not {what}: {Describe(response)}", response.ApiCallDetails.OriginalException);
    }

    /// <summary>The server's error (its first root cause when it names one), or what kept the request from an answer.</summary>
    private static string Describe(ElasticsearchResponse response)
    {
        if (response.ElasticsearchServerError?.Error is not { } error)
        {
            return response.ApiCallDetails.OriginalException?.Message ?? $"HTTP {response.ApiCallDetails.HttpStatusCode}";
        }

        var cause = error.CausedBy ?? error.RootCause?.FirstOrDefault();
        return Describe(error.Type, error.Reason, cause?.Type, cause?.Reason);
    }

    private static string Describe(ErrorCause? error) =>
        error is null ? "no reason given" : Describe(error.Type, error.Reason, error.CausedBy?.Type, error.CausedBy?.Reason);

    private static string Describe(string? type, string? reason, string? causeType, string? cause) =>
        cause is null || cause == reason ? $"{type}: {reason}" : $"{type}: {reason} ({causeType}: {cause})";
}
