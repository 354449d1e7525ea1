using SaasMonitor.Core.Metadata;

namespace SaasMonitor.Embedded.Files;

/// <summary>Uploaded files as plain files in one folder, written under a temporary name and renamed when complete.</summary>
public sealed class DirectoryBlobStore : IFileBlobStore
{
    private readonly string _directory;

    public DirectoryBlobStore(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public Stream Create(string fileId) => new CommitOnDisposeStream(PathOf(fileId));

    public Stream? OpenRead(string fileId)
    {
        var path = PathOf(fileId);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true) : null;
    }

    public void Delete(string fileId) => File.Delete(PathOf(fileId));

    private string PathOf(string fileId)
    {
        FileBlobIds.Validate(fileId);
        return Path.Combine(_directory, fileId);
    }

    private sealed class CommitOnDisposeStream(string finalPath) : FileStream(finalPath + ".part", FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true)
    {
        private bool _committed;

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync().ConfigureAwait(false);
            Commit();
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                Commit();
            }
        }

        private void Commit()
        {
            if (!_committed)
            {
                _committed = true;
                File.Move(finalPath + ".part", finalPath, overwrite: true);
            }
        }
    }
}
