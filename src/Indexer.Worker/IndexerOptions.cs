using System.ComponentModel.DataAnnotations;

namespace Indexer.Worker;

/// <summary>Configuration section "SaasMonitor:Indexer".</summary>
public sealed class IndexerOptions
{
    public const string Section = "SaasMonitor:Indexer";

    /// <summary>
    /// How often the search store commits (fsyncs) what was indexed. Searches in the indexer's own process see new
    /// events within the store's refresh interval anyway; readers in other processes see only commits, so a short
    /// interval bounds how stale their results are, and a longer one (the all-in-one's 10 s) costs less I/O.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "SaasMonitor:Indexer:CommitInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(2);
}
