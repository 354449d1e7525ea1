using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;

namespace Indexer.Worker;

/// <summary>
/// The indexer's side of deleting an uploaded file: the gateway marks the file deleted, and the indexer, the index's
/// only writer, removes the file's events, commits so readers in other processes see it, then drops the file's record.
/// </summary>
internal static class DeletedFiles
{
    /// <summary>How often the indexer looks for files marked deleted by a gateway in another process.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Removes the events of every file marked deleted; returns how many events were removed.</summary>
    public static async Task<long> PurgeAsync(IMetadataStore metadata, ISearchStore search, CancellationToken ct)
    {
        var ids = await metadata.ListDeletedFilesAsync(ct).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return 0;
        }

        long removed = 0;
        foreach (var id in ids)
        {
            removed += await search.DeleteAsync(new SearchQuery { FileId = id }, ct).ConfigureAwait(false);
        }

        // The records go only once the removal is durable, so a crash in between repeats the removal.
        await search.FlushAsync(ct).ConfigureAwait(false);
        foreach (var id in ids)
        {
            await metadata.DeleteFileAsync(id, ct).ConfigureAwait(false);
        }

        return removed;
    }
}
