namespace SaasMonitor.Embedded.Journal;

/// <summary>Replaces a small file as a whole: a reader sees the old content or the new one, never a mix.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, bool flushToDisk)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
