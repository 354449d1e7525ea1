using SaasMonitor.Core.Bus;

namespace SaasMonitor.Core.Kpis;

/// <summary>Windows of one granularity whose <c>Start</c> is in [<see cref="From"/>, <see cref="To"/>); null bounds are open.</summary>
public sealed record KpiQuery(KpiGranularity Granularity, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>Only windows of this service ("" for events with none).</summary>
    public string? Service { get; init; }
}

/// <summary>KPI windows and the offsets of the events they hold. Implemented by the embedded SQLite store and by MongoDB.</summary>
public interface IKpiStore
{
    /// <summary>
    /// Merges the batch into stored windows AND records the consumer group's next offsets, in ONE transaction:
    /// after a crash, either both or neither are stored.
    /// </summary>
    Task ApplyAsync(KpiBatch batch, string consumerGroup, IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct);

    /// <summary>The next offsets stored for the group. Synchronous on purpose: called from a bus rebalance handler.</summary>
    IReadOnlyList<TopicPartitionOffset> GetOffsets(string consumerGroup);

    Task<IReadOnlyList<KpiWindow>> QueryAsync(KpiQuery query, CancellationToken ct);

    Task<IReadOnlyList<UserWindow>> QueryUsersAsync(KpiQuery query, CancellationToken ct);

    /// <summary>The uploaded files (<see cref="KpiKey.FileId"/>) whose events stored windows count.</summary>
    Task<IReadOnlyList<string>> ListFilesAsync(CancellationToken ct);

    /// <summary>Deletes the KPI and user windows that count an uploaded file's events; every other window stays as it was.</summary>
    Task DeleteFileAsync(string fileId, CancellationToken ct);

    /// <summary>Deletes KPI and user windows of the granularity that start before the cutoff.</summary>
    Task DeleteOlderThanAsync(KpiGranularity granularity, DateTimeOffset cutoff, CancellationToken ct);
}
