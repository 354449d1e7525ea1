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
