using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;

namespace Aggregator.Worker;

/// <summary>
/// The aggregator's side of deleting an uploaded file. A file's events are counted in windows of their own
/// (<see cref="KpiKey.FileId"/>), so removing those windows takes away exactly what the file added. The aggregator,
/// the KPI store's only writer, removes the windows of every file the metadata store no longer shows, whether marked
/// deleted or already dropped by the indexer: it needs no message from the gateway, misses no deletion whatever order
/// the modules run in, and removes again what a file's late or replayed events add after it is gone.
/// </summary>
internal static class DeletedFileKpis
{
    /// <summary>How often the aggregator looks for files deleted through a gateway in another process.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static async Task PurgeAsync(IKpiStore kpis, IMetadataStore metadata, IHotCache cache, CancellationToken ct)
    {
        var removed = false;
        foreach (var id in await kpis.ListFilesAsync(ct).ConfigureAwait(false))
        {
            if (await metadata.GetFileAsync(id, ct).ConfigureAwait(false) is null)
            {
                await kpis.DeleteFileAsync(id, ct).ConfigureAwait(false);
                removed = true;
            }
        }

        if (removed)
        {
            await cache.InvalidateRegionAsync(CacheRegions.Kpi, ct).ConfigureAwait(false);
        }
    }
}
