using Microsoft.Extensions.Options;

namespace SaasMonitor.Hosting;

/// <summary>
/// The disk of the data folder: writes that failed because it is full, and how much room is left. Readiness reports
/// the disk down while free space is under <see cref="SaasMonitorOptions.MinFreeDiskBytes"/> or while the last write
/// failed for want of space and none has succeeded since, so ingest is reported unready while it cannot store, and
/// ready again once space returns and a write succeeds.
/// </summary>
public sealed class DiskSpace(IOptions<SaasMonitorOptions> options)
{
    // errno ENOSPC on Linux and macOS; ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL on Windows.
    private const int NoSpace = 28;
    private const int HandleDiskFull = 0x27;
    private const int DiskFull = 0x70;

    private volatile bool _full;

    public string DataDirectory => Path.GetFullPath(options.Value.DataDirectory);

    /// <summary>True when <paramref name="exception"/>, or one it wraps, says the disk is full.</summary>
    public static bool IsDiskFull(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: var code } && (code == NoSpace || (code & 0xFFFF) is HandleDiskFull or DiskFull))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A write failed because the disk is full.</summary>
    public void ReportFull() => _full = true;

    /// <summary>A write succeeded: the disk has room again.</summary>
    public void ReportWritten() => _full = false;

    /// <summary>What readiness says of the disk: a description, or <see cref="IOException"/> with the reason while it cannot store.</summary>
    public string Check()
    {
        var free = new DriveInfo(DataDirectory).AvailableFreeSpace;
        if (_full)
        {
            throw new IOException($"The last write to {DataDirectory} failed because the disk is full ({Megabytes(free)} free); writes are refused until space returns.");
        }

        var minimum = options.Value.MinFreeDiskBytes;
        return free < minimum
            ? throw new IOException($"{Megabytes(free)} free on the disk of {DataDirectory}, under the minimum of {Megabytes(minimum)} (SaasMonitor:MinFreeDiskBytes).")
            : $"{Megabytes(free)} free";
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024 * 1024)} MiB";
}
