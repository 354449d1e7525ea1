namespace SaasMonitor.Embedded.Search;

/// <summary>Where and how the embedded log index is kept.</summary>
public sealed class LuceneSearchOptions
{
    /// <summary>Root folder of the index; it holds one sub-folder per UTC day (yyyy-MM-dd).</summary>
    public required string Directory { get; set; }

    /// <summary>How stale a search may be: upserts become visible to searches within this interval.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many threads index one large upsert batch (events are split by id, so the copies of one event stay in
    /// order). At least 1; defaults to 2 where the machine has 2 cores or more.
    /// </summary>
    public int IndexingThreads { get; set; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>
    /// Opens the index for searching only, in a process other than the indexer's (the only writer of the folder):
    /// no writer and no lock; searches see the writer's commits within <see cref="RefreshInterval"/>, including days
    /// it creates later, and every write is refused with <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>What each event's document holds; only benchmarks change it, to measure the cost of the full mapping.</summary>
    internal LogDocumentShape DocumentShape { get; set; } = LogDocumentShape.Full;
}
