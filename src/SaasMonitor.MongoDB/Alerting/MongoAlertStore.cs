using MongoDB.Driver;
using SaasMonitor.Core.Alerting;

namespace SaasMonitor.MongoDB.Alerting;

/// <summary>
/// Alert rules, channels, silences, instance state, history and the notification outbox in MongoDB, every write
/// acknowledged by a majority of the replica set. An evaluation's instances, removals, transitions and notifications
/// are written in one transaction, so after a crash or a failover either all of them are stored or none, and each
/// state change is notified once. Semantics are those of the SQLite store.
/// </summary>
internal sealed class MongoAlertStore : IAlertStore, IMongoSchema
{
    private const string HistorySequence = "alert_history";
    private const string OutboxSequence = "alert_outbox";
    private static readonly TransactionOptions Atomic = new(writeConcern: WriteConcern.WMajority);

    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<NamedDocument> _rules;
    private readonly IMongoCollection<NamedDocument> _channels;
    private readonly IMongoCollection<NamedDocument> _silences;
    private readonly IMongoCollection<InstanceDocument> _instances;
    private readonly IMongoCollection<TransitionDocument> _history;
    private readonly IMongoCollection<NotificationDocument> _outbox;
    private readonly IMongoCollection<CounterDocument> _counters;

    public MongoAlertStore(IMongoDatabase database)
    {
        _database = database.WithWriteConcern(WriteConcern.WMajority);
        _rules = _database.GetCollection<NamedDocument>(AlertCommands.Rules);
        _channels = _database.GetCollection<NamedDocument>(AlertCommands.Channels);
        _silences = _database.GetCollection<NamedDocument>(AlertCommands.Silences);
        _instances = _database.GetCollection<InstanceDocument>(AlertCommands.Instances);
        _history = _database.GetCollection<TransitionDocument>(AlertCommands.History);
        _outbox = _database.GetCollection<NotificationDocument>(AlertCommands.Outbox);
        _counters = _database.GetCollection<CounterDocument>(Sequences.Collection);
    }

    public async Task CreateIndexesAsync(CancellationToken ct)
    {
        await _instances.Indexes.CreateOneAsync(AlertCommands.InstanceKey, cancellationToken: ct).ConfigureAwait(false);
        await _history.Indexes.CreateOneAsync(AlertCommands.HistoryByRule, cancellationToken: ct).ConfigureAwait(false);
        await _outbox.Indexes.CreateManyAsync([AlertCommands.OutboxDue, AlertCommands.OutboxByRule, AlertCommands.OutboxByChannel], ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken ct) => AllAsync<AlertRule>(_rules, ct);

    public Task<AlertRule?> GetRuleAsync(string id, CancellationToken ct) => OneAsync<AlertRule>(_rules, id, ct);

    public Task SaveRuleAsync(AlertRule rule, CancellationToken ct) => SaveAsync(_rules, rule.Id, rule, ct);

    public async Task<bool> DeleteRuleAsync(string id, CancellationToken ct)
    {
        using var session = await _database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        return await session.WithTransactionAsync(
            async (s, token) =>
            {
                await _instances.DeleteManyAsync(s, AlertCommands.InstancesOf(id), cancellationToken: token).ConfigureAwait(false);
                return (await _rules.DeleteOneAsync(s, d => d.Id == id, cancellationToken: token).ConfigureAwait(false)).DeletedCount > 0;
            },
            Atomic,
            ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AlertChannel>> ListChannelsAsync(CancellationToken ct) => AllAsync<AlertChannel>(_channels, ct);

    public Task<AlertChannel?> GetChannelAsync(string id, CancellationToken ct) => OneAsync<AlertChannel>(_channels, id, ct);

    public Task SaveChannelAsync(AlertChannel channel, CancellationToken ct) => SaveAsync(_channels, channel.Id, channel, ct);

    public Task<bool> DeleteChannelAsync(string id, CancellationToken ct) => DeleteAsync(_channels, id, ct);

    public Task<IReadOnlyList<Silence>> ListSilencesAsync(CancellationToken ct) => AllAsync<Silence>(_silences, ct);

    public Task SaveSilenceAsync(Silence silence, CancellationToken ct) => SaveAsync(_silences, silence.Id, silence, ct);

    public Task<bool> DeleteSilenceAsync(string id, CancellationToken ct) => DeleteAsync(_silences, id, ct);

    public async Task<IReadOnlyList<AlertInstance>> ListInstancesAsync(string? ruleId, CancellationToken ct) =>
        (await _instances.Find(AlertCommands.InstancesOf(ruleId)).SortBy(d => d.RuleId).ThenBy(d => d.GroupKey).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => AlertRecord.FromBson<AlertInstance>(d.Doc));

    public async Task ApplyAsync(IReadOnlyList<AlertEvaluation> evaluations, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        ct.ThrowIfCancellationRequested();
        using var session = await _database.Client.StartSessionAsync(cancellationToken: ct).ConfigureAwait(false);
        await session.WithTransactionAsync(
            async (s, token) =>
            {
                foreach (var evaluation in evaluations)
                {
                    await ApplyAsync(s, evaluation, token).ConfigureAwait(false);
                }

                return true;
            },
            Atomic,
            ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AlertTransition>> ListHistoryAsync(string? ruleId, long? before, int limit, CancellationToken ct) =>
        (await _history.Find(AlertCommands.HistoryOf(ruleId, before)).SortByDescending(d => d.Id).Limit(limit).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => d.ToTransition());

    public async Task<AlertNotification> EnqueueAsync(AlertNotification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var stored = NotificationDocument.From(notification, await _counters.TakeAsync(null, OutboxSequence, 1, ct).ConfigureAwait(false));
        await _outbox.InsertOneAsync(stored, cancellationToken: ct).ConfigureAwait(false);
        return notification with { Id = stored.Id };
    }

    public async Task<IReadOnlyList<AlertNotification>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        (await _outbox.Find(AlertCommands.Due(now)).Sort(AlertCommands.DueOrder).Limit(limit).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => d.ToNotification());

    public Task UpdateDeliveryAsync(AlertNotification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return _outbox.UpdateOneAsync(d => d.Id == notification.Id, AlertCommands.Delivery(notification), cancellationToken: ct);
    }

    public async Task<IReadOnlyList<AlertNotification>> ListNotificationsAsync(string? ruleId, string? channelId, int limit, CancellationToken ct) =>
        (await _outbox.Find(AlertCommands.NotificationsOf(ruleId, channelId)).SortByDescending(d => d.Id).Limit(limit).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => d.ToNotification());

    private async Task ApplyAsync(IClientSessionHandle session, AlertEvaluation evaluation, CancellationToken ct)
    {
        if (evaluation.Instances.Count > 0)
        {
            await _instances.BulkWriteAsync(session, evaluation.Instances.Select(AlertCommands.StoreInstance), cancellationToken: ct).ConfigureAwait(false);
        }

        if (evaluation.RemovedGroupKeys.Count > 0)
        {
            await _instances.DeleteManyAsync(session, AlertCommands.RemovedInstances(evaluation.RuleId, evaluation.RemovedGroupKeys), cancellationToken: ct)
                .ConfigureAwait(false);
        }

        if (evaluation.Transitions.Count > 0)
        {
            var first = await _counters.TakeAsync(session, HistorySequence, evaluation.Transitions.Count, ct).ConfigureAwait(false);
            var transitions = evaluation.Transitions.Select((t, i) => new TransitionDocument { Id = first + i, RuleId = t.RuleId, Doc = AlertRecord.ToBson(t) });
            await _history.InsertManyAsync(session, transitions, cancellationToken: ct).ConfigureAwait(false);
        }

        if (evaluation.Notifications.Count > 0)
        {
            var first = await _counters.TakeAsync(session, OutboxSequence, evaluation.Notifications.Count, ct).ConfigureAwait(false);
            var notifications = evaluation.Notifications.Select((n, i) => NotificationDocument.From(n, first + i));
            await _outbox.InsertManyAsync(session, notifications, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<T>> AllAsync<T>(IMongoCollection<NamedDocument> collection, CancellationToken ct) =>
        (await collection.Find(FilterDefinition<NamedDocument>.Empty).SortBy(d => d.Id).ToListAsync(ct).ConfigureAwait(false))
            .ConvertAll(d => AlertRecord.FromBson<T>(d.Doc));

    private static async Task<T?> OneAsync<T>(IMongoCollection<NamedDocument> collection, string id, CancellationToken ct)
        where T : class =>
        await collection.Find(d => d.Id == id).FirstOrDefaultAsync(ct).ConfigureAwait(false) is { } found ? AlertRecord.FromBson<T>(found.Doc) : null;

    private static Task SaveAsync<T>(IMongoCollection<NamedDocument> collection, string id, T record, CancellationToken ct) =>
        collection.ReplaceOneAsync(d => d.Id == id, new NamedDocument { Id = id, Doc = AlertRecord.ToBson(record) }, new ReplaceOptions { IsUpsert = true }, ct);

    private static async Task<bool> DeleteAsync(IMongoCollection<NamedDocument> collection, string id, CancellationToken ct) =>
        (await collection.DeleteOneAsync(d => d.Id == id, ct).ConfigureAwait(false)).DeletedCount > 0;
}
