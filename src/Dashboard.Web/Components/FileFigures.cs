using SaasMonitor.Core.Metadata;

namespace Dashboard.Web.Components;

/// <summary>How the pages show an uploaded file's size and processing progress.</summary>
internal static class FileFigures
{
    public static string Size(long bytes) => bytes switch
    {
        >= 1 << 30 => $"{bytes / (double)(1 << 30):0.#} GiB",
        >= 1 << 20 => $"{bytes / (double)(1 << 20):0.#} MiB",
        >= 1 << 10 => $"{bytes / (double)(1 << 10):0.#} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>Percent of the file's chunks parsed; 100 once processed.</summary>
    public static double Progress(LogFile file) =>
        file.Status == FileStatus.Processed ? 100 : file.ChunkCount is > 0 and var n ? Math.Min(100, 100.0 * file.ChunksDone / n) : 0;
}
