using SaasMonitor.Core.Events;

namespace SaasMonitor.Core.Search;

/// <summary>
/// Full-text search over events. Implemented by the embedded Lucene.NET index and by Elasticsearch.
/// Writes are upserts by <see cref="LogEvent.Id"/>; one process writes, any number read.
/// </summary>
public interface ISearchStore
{
    /// <summary>
    /// Inserts or replaces events by id. Visible to searches within about a second; durable after <see cref="FlushAsync"/>.
    /// Returns the events the store refused for good, each with the store's reason (empty when it took them all);
    /// when an event can neither be written nor refused (the store unreachable or overloaded past its retries), it throws,
    /// and the caller retries the batch.
    /// </summary>
    Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, CancellationToken ct);

    /// <summary>
    /// As <see cref="UpsertAsync(IReadOnlyList{LogEvent}, CancellationToken)"/>, given also each event's JSON form
    /// (<see cref="LogEventJson"/>, as it came off the events topic), so a store that keeps events as JSON stores
    /// those bytes instead of serialising the event again.
    /// </summary>
    Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, IReadOnlyList<ReadOnlyMemory<byte>> json, CancellationToken ct) => UpsertAsync(events, ct);

    /// <summary>Makes every upsert so far durable and searchable.</summary>
    Task FlushAsync(CancellationToken ct);

    /// <exception cref="InvalidQueryException">The query text is not valid.</exception>
    Task<SearchPage> SearchAsync(SearchRequest request, CancellationToken ct);

    Task<LogEvent?> GetAsync(string id, CancellationToken ct);

    Task<long> CountAsync(SearchQuery query, CancellationToken ct);

    /// <summary>The most frequent values of a keyword field (or <see cref="LogFields.StatusCode"/>) among matching events, most first.</summary>
    Task<IReadOnlyList<TermCount>> TermsAsync(SearchQuery query, string field, int size, CancellationToken ct);

    /// <summary>Matching events counted per fixed interval, oldest first; empty intervals omitted.</summary>
    Task<IReadOnlyList<TimeBucket>> DateHistogramAsync(SearchQuery query, TimeSpan interval, CancellationToken ct);

    /// <summary>Deletes matching events; returns how many.</summary>
    Task<long> DeleteAsync(SearchQuery query, CancellationToken ct);

    /// <summary>Drops every event older than <paramref name="cutoff"/> (whole days where the store partitions by day).</summary>
    Task DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct);
}

/// <summary>An event of an upsert batch that the store refused for good (say, a value its mapping cannot hold): its position in the batch and why.</summary>
public readonly record struct RejectedEvent(int Index, string Reason);
