using SaasMonitor.Embedded.Journal;

namespace SaasMonitor.Tests.Journal;

/// <summary>A journal folder under the temp directory, deleted at the end of the test.</summary>
public sealed class JournalDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "saasmon-journal-" + Guid.NewGuid().ToString("N"));

    public JournalOptions Options(long segmentBytes = 64L * 1024 * 1024, bool fsync = false, JournalCompression compression = JournalCompression.Zstd) => new()
    {
        Directory = Path,
        SegmentBytes = segmentBytes,
        FsyncOnCommit = fsync,
        Compression = compression,
        RetentionCheckInterval = Timeout.InfiniteTimeSpan,
    };

    public string[] SegmentFiles(string topic, int partition) =>
        [.. Directory.GetFiles(System.IO.Path.Combine(Path, "topics", topic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)), "*.log").Order()];

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
