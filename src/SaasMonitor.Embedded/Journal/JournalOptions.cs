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

    /// <summary>
    /// How what one produce call appends to a partition is compressed once it is at least 4 KiB (in batches of up to
    /// about 256 KiB of records, as Kafka compresses record batches). Reading handles every codec and plain records
    /// alike, so the setting can change at any time.
    /// </summary>
    public JournalCompression Compression { get; set; } = JournalCompression.Zstd;

    /// <summary>How often retention runs; <see cref="Timeout.InfiniteTimeSpan"/> leaves it to explicit calls.</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Codecs of the journal's record batches.</summary>
public enum JournalCompression
{
    /// <summary>Records are written as they are.</summary>
    None,

    /// <summary>LZ4: the cheapest to write and read, about 7x smaller on log lines.</summary>
    Lz4,

    /// <summary>Zstandard level 1: about twice as small again as LZ4 on log lines, at more CPU per byte.</summary>
    Zstd,
}
