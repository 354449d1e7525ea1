namespace SaasMonitor.Core.Metadata;

/// <summary>Keeps the original bytes of uploaded files so they can be downloaded again.</summary>
public interface IFileBlobStore
{
    /// <summary>Opens a new blob for writing; the blob is visible once the stream is disposed.</summary>
    Stream Create(string fileId);

    /// <summary>Opens the blob for reading, or null when it does not exist.</summary>
    Stream? OpenRead(string fileId);

    void Delete(string fileId);
}

public static class FileBlobIds
{
    /// <summary>Refuses an id that is not a file id (lower-case letters, digits and '-'), so no id can reach outside a blob store.</summary>
    public static void Validate(string fileId)
    {
        ArgumentNullException.ThrowIfNull(fileId);
        if (fileId.Length == 0 || fileId.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-") >= 0)
        {
            throw new ArgumentException($"'{fileId}' is not a file id.", nameof(fileId));
        }
    }
}
