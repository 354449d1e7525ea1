using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using SaasMonitor.Core.Alerting;

namespace SaasMonitor.Embedded.Sqlite;

/// <summary>
/// Alert rules, channels, silences, instance state, history and the notification outbox in SQLite (WAL). Each record
/// is kept as a JSON document next to the columns it is looked up by. An evaluation's instances, transitions and
/// notifications are written in one transaction, so after a kill either all of them are stored or none.
/// </summary>
public sealed class SqliteAlertStore : IAlertStore, IDisposable
{
    internal const int SchemaSlot = 3;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE alert_rules (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
        CREATE TABLE alert_channels (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
        CREATE TABLE alert_silences (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
        CREATE TABLE alert_instances (
            rule_id TEXT NOT NULL,
            group_key TEXT NOT NULL,
            doc TEXT NOT NULL,
            PRIMARY KEY (rule_id, group_key)
        ) WITHOUT ROWID;
        CREATE TABLE alert_history (id INTEGER PRIMARY KEY AUTOINCREMENT, rule_id TEXT NOT NULL, doc TEXT NOT NULL);
        CREATE INDEX alert_history_by_rule ON alert_history (rule_id, id);
        CREATE TABLE alert_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rule_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            status INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            doc TEXT NOT NULL
        );
        CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
        CREATE INDEX alert_outbox_by_rule ON alert_outbox (rule_id, id);
        CREATE INDEX alert_outbox_by_channel ON alert_outbox (channel_id, id);
        """,
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;

    public SqliteAlertStore(SqliteOptions options)
    {
        _connection = SqliteDatabase.OpenMigrated(options, SchemaSlot, Migrations);
    }

    public Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken ct) => Documents<AlertRule>("alert_rules", ct);

    public Task<AlertRule?> GetRuleAsync(string id, CancellationToken ct) => Document<AlertRule>("alert_rules", id, ct);

    public Task SaveRuleAsync(AlertRule rule, CancellationToken ct) => Save("alert_rules", rule.Id, rule, ct);

    public Task<bool> DeleteRuleAsync(string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            Run(transaction, "DELETE FROM alert_instances WHERE rule_id = $1", id);
            var deleted = Run(transaction, "DELETE FROM alert_rules WHERE id = $1", id) > 0;
            transaction.Commit();
            return Task.FromResult(deleted);
        }
    }

    public Task<IReadOnlyList<AlertChannel>> ListChannelsAsync(CancellationToken ct) => Documents<AlertChannel>("alert_channels", ct);

    public Task<AlertChannel?> GetChannelAsync(string id, CancellationToken ct) => Document<AlertChannel>("alert_channels", id, ct);

    public Task SaveChannelAsync(AlertChannel channel, CancellationToken ct) => Save("alert_channels", channel.Id, channel, ct);

    public Task<bool> DeleteChannelAsync(string id, CancellationToken ct) => Delete("alert_channels", id, ct);

    public Task<IReadOnlyList<Silence>> ListSilencesAsync(CancellationToken ct) => Documents<Silence>("alert_silences", ct);

    public Task SaveSilenceAsync(Silence silence, CancellationToken ct) => Save("alert_silences", silence.Id, silence, ct);

    public Task<bool> DeleteSilenceAsync(string id, CancellationToken ct) => Delete("alert_silences", id, ct);

    public Task<IReadOnlyList<AlertInstance>> ListInstancesAsync(string? ruleId, CancellationToken ct) =>
        Task.FromResult(Query("SELECT doc FROM alert_instances WHERE $1 IS NULL OR rule_id = $1 ORDER BY rule_id, group_key", Read<AlertInstance>, ct, ruleId));

    public Task ApplyAsync(IReadOnlyList<AlertEvaluation> evaluations, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var evaluation in evaluations)
            {
                Apply(transaction, evaluation);
            }

            transaction.Commit();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AlertTransition>> ListHistoryAsync(string? ruleId, long? before, int limit, CancellationToken ct) =>
        Task.FromResult(Query(
            "SELECT id, doc FROM alert_history WHERE ($1 IS NULL OR rule_id = $1) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
            r => Read<AlertTransition>(r, 1) with { Id = r.GetInt64(0) },
            ct,
            ruleId,
            before,
            limit));

    public Task<AlertNotification> EnqueueAsync(AlertNotification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(notification with { Id = Insert(null, notification) });
        }
    }

    public Task<IReadOnlyList<AlertNotification>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult(Query(
            "SELECT id, doc FROM alert_outbox WHERE status = $1 AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $3",
            ReadNotification,
            ct,
            (int)DeliveryStatus.Pending,
            now.UtcTicks,
            limit));

    public Task UpdateDeliveryAsync(AlertNotification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Run(
                null,
                "UPDATE alert_outbox SET status = $2, next_attempt_at = $3, doc = $4 WHERE id = $1",
                notification.Id,
                (int)notification.Status,
                notification.NextAttemptAt.UtcTicks,
                JsonSerializer.Serialize(notification, Json));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AlertNotification>> ListNotificationsAsync(string? ruleId, string? channelId, int limit, CancellationToken ct) =>
        Task.FromResult(Query(
            "SELECT id, doc FROM alert_outbox WHERE ($1 IS NULL OR rule_id = $1) AND ($2 IS NULL OR channel_id = $2) ORDER BY id DESC LIMIT $3",
            ReadNotification,
            ct,
            ruleId,
            channelId,
            limit));

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private static T Read<T>(SqliteDataReader r) => Read<T>(r, 0);

    private static T Read<T>(SqliteDataReader r, int ordinal) => JsonSerializer.Deserialize<T>(r.GetString(ordinal), Json)!;

    private static AlertNotification ReadNotification(SqliteDataReader r) => Read<AlertNotification>(r, 1) with { Id = r.GetInt64(0) };

    private void Apply(SqliteTransaction transaction, AlertEvaluation evaluation)
    {
        foreach (var instance in evaluation.Instances)
        {
            Run(
                transaction,
                "INSERT INTO alert_instances (rule_id, group_key, doc) VALUES ($1, $2, $3) ON CONFLICT DO UPDATE SET doc = excluded.doc",
                instance.RuleId,
                instance.GroupKey,
                JsonSerializer.Serialize(instance, Json));
        }

        foreach (var key in evaluation.RemovedGroupKeys)
        {
            Run(transaction, "DELETE FROM alert_instances WHERE rule_id = $1 AND group_key = $2", evaluation.RuleId, key);
        }

        foreach (var transition in evaluation.Transitions)
        {
            Run(transaction, "INSERT INTO alert_history (rule_id, doc) VALUES ($1, $2)", transition.RuleId, JsonSerializer.Serialize(transition, Json));
        }

        foreach (var notification in evaluation.Notifications)
        {
            Insert(transaction, notification);
        }
    }

    private long Insert(SqliteTransaction? transaction, AlertNotification n)
    {
        using var command = SqliteDatabase.Command(
            _connection,
            transaction,
            "INSERT INTO alert_outbox (rule_id, channel_id, status, next_attempt_at, doc) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            n.RuleId,
            n.ChannelId,
            (int)n.Status,
            n.NextAttemptAt.UtcTicks,
            JsonSerializer.Serialize(n, Json));
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<IReadOnlyList<T>> Documents<T>(string table, CancellationToken ct) =>
        Task.FromResult(Query($"SELECT doc FROM {table} ORDER BY id", Read<T>, ct));

    private Task<T?> Document<T>(string table, string id, CancellationToken ct)
        where T : class =>
        Task.FromResult(Query($"SELECT doc FROM {table} WHERE id = $1", Read<T>, ct, id) is [var only] ? only : null);

    private Task Save<T>(string table, string id, T document, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Run(null, $"INSERT INTO {table} (id, doc) VALUES ($1, $2) ON CONFLICT DO UPDATE SET doc = excluded.doc", id, JsonSerializer.Serialize(document, Json));
        }

        return Task.CompletedTask;
    }

    private Task<bool> Delete(string table, string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(Run(null, $"DELETE FROM {table} WHERE id = $1", id) > 0);
        }
    }

    private IReadOnlyList<T> Query<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct, params object?[] values)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            using var command = SqliteDatabase.Command(_connection, null, sql, values);
            using var reader = command.ExecuteReader();
            var results = new List<T>();
            while (reader.Read())
            {
                results.Add(read(reader));
            }

            return results;
        }
    }

    private int Run(SqliteTransaction? transaction, string sql, params object?[] values)
    {
        using var command = SqliteDatabase.Command(_connection, transaction, sql, values);
        return command.ExecuteNonQuery();
    }
}
