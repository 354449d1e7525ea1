namespace SaasMonitor.Embedded.Journal;

/// <summary>Where and how the embedded journal keeps its topics.</summary>
public sealed class JournalOptions
{
    /// <summary>The folder the journal owns (one process at a time).</summary>
    public required string Directory { get; set; }

    /// <summary>
    /// False: an append is handed to the operating system before it is acknowledged, so it survives a killed process.
    /// True: every append and commit is also flushed to the disk (fsync), so it survives a power loss, at a higher cost per call.
    /// </summary>
    public bool FsyncOnCommit { get; set; }

    /// <summary>A partition's active segment is closed and a new one started once it would grow past this size.</summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How often retention runs; <see cref="Timeout.InfiniteTimeSpan"/> leaves it to explicit calls.</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
