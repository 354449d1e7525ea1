using MongoDB.Driver;
using MongoDB.Driver.GridFS;
using SaasMonitor.Core.Metadata;

namespace SaasMonitor.MongoDB.Metadata;

/// <summary>
/// Uploaded files' bytes in GridFS (bucket "file_blobs", the file id as the GridFS id), beside the files' records: every
/// service that reads or writes them (gateway, indexer, dashboard) reaches them wherever it runs, they are replicated and
/// backed up with the database, and no volume has to be shared between hosts. A blob is visible once its writer is
/// disposed, when GridFS writes its files document after the chunks.
/// </summary>
internal sealed class GridFsBlobStore(IMongoDatabase database) : IFileBlobStore
{
    public const string Bucket = "file_blobs";

    private readonly GridFSBucket<string> _bucket = new(database, new GridFSBucketOptions { BucketName = Bucket, WriteConcern = WriteConcern.WMajority });

    /// <summary>Writes a new blob; one written before under the same id is deleted first.</summary>
    public Stream Create(string fileId)
    {
        FileBlobIds.Validate(fileId);
        Delete(fileId);
        return _bucket.OpenUploadStream(fileId, fileId);
    }

    public Stream? OpenRead(string fileId)
    {
        FileBlobIds.Validate(fileId);
        try
        {
            return _bucket.OpenDownloadStream(fileId);
        }
        catch (GridFSFileNotFoundException)
        {
            return null;
        }
    }

    public void Delete(string fileId)
    {
        FileBlobIds.Validate(fileId);
        try
        {
            _bucket.Delete(fileId);
        }
        catch (GridFSFileNotFoundException)
        {
            // Nothing to delete.
        }
    }
}
