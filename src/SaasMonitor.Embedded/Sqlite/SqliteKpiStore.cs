using Microsoft.Data.Sqlite;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Kpis;

namespace SaasMonitor.Embedded.Sqlite;

/// <summary>
/// KPI windows, distinct-user windows and the aggregator's consumed offsets in SQLite (WAL).
/// The aggregator is the single writer: it merges each batch into the stored windows (read-modify-write,
/// helped by a cache of recent windows) and stores its offsets in the same transaction.
/// Reads use their own connection, so dashboard queries do not wait for writes.
/// </summary>
public sealed class SqliteKpiStore : IKpiStore, IDisposable
{
    internal const int SchemaSlot = 0;
    private const int CachedWindows = 20_000;
    private const int CachedUserWindows = 1_000;

    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE kpi_windows (
            granularity INTEGER NOT NULL,
            window_start INTEGER NOT NULL,
            service TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            level TEXT NOT NULL,
            status INTEGER NOT NULL,
            events INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            response_count INTEGER NOT NULL,
            response_sum_ms REAL NOT NULL,
            response_max_ms REAL NOT NULL,
            latency BLOB NOT NULL,
            PRIMARY KEY (granularity, window_start, service, endpoint, level, status)
        ) WITHOUT ROWID;
        CREATE TABLE kpi_users (
            granularity INTEGER NOT NULL,
            window_start INTEGER NOT NULL,
            service TEXT NOT NULL,
            users BLOB NOT NULL,
            PRIMARY KEY (granularity, window_start, service)
        ) WITHOUT ROWID;
        CREATE TABLE kpi_offsets (
            consumer_group TEXT NOT NULL,
            topic TEXT NOT NULL,
            bus_partition INTEGER NOT NULL,
            next_offset INTEGER NOT NULL,
            PRIMARY KEY (consumer_group, topic, bus_partition)
        ) WITHOUT ROWID;
        """,
        // Windows split by uploaded file, so deleting a file removes what it contributed. Windows counted before
        // keep file_id '' and stay when their file is deleted.
        """
        CREATE TABLE kpi_windows_by_file (
            granularity INTEGER NOT NULL,
            window_start INTEGER NOT NULL,
            service TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            level TEXT NOT NULL,
            status INTEGER NOT NULL,
            file_id TEXT NOT NULL,
            events INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            response_count INTEGER NOT NULL,
            response_sum_ms REAL NOT NULL,
            response_max_ms REAL NOT NULL,
            latency BLOB NOT NULL,
            PRIMARY KEY (granularity, window_start, service, endpoint, level, status, file_id)
        ) WITHOUT ROWID;
        INSERT INTO kpi_windows_by_file
            SELECT granularity, window_start, service, endpoint, level, status, '', events, errors, response_count, response_sum_ms, response_max_ms, latency FROM kpi_windows;
        DROP TABLE kpi_windows;
        ALTER TABLE kpi_windows_by_file RENAME TO kpi_windows;
        CREATE INDEX kpi_windows_of_files ON kpi_windows (file_id) WHERE file_id <> '';
        CREATE TABLE kpi_users_by_file (
            granularity INTEGER NOT NULL,
            window_start INTEGER NOT NULL,
            service TEXT NOT NULL,
            file_id TEXT NOT NULL,
            users BLOB NOT NULL,
            PRIMARY KEY (granularity, window_start, service, file_id)
        ) WITHOUT ROWID;
        INSERT INTO kpi_users_by_file SELECT granularity, window_start, service, '', users FROM kpi_users;
        DROP TABLE kpi_users;
        ALTER TABLE kpi_users_by_file RENAME TO kpi_users;
        CREATE INDEX kpi_users_of_files ON kpi_users (file_id) WHERE file_id <> '';
        """,
    ];

    private const string WindowColumns =
        "granularity, window_start, service, endpoint, level, status, file_id, events, errors, response_count, response_sum_ms, response_max_ms, latency";

    private readonly Lock _writeLock = new();
    private readonly Lock _readLock = new();
    private readonly SqliteConnection _writer;
    private readonly SqliteConnection _reader;
    private readonly SqliteCommand _selectWindow;
    private readonly SqliteCommand _upsertWindow;
    private readonly SqliteCommand _selectUsers;
    private readonly SqliteCommand _upsertUsers;
    private readonly SqliteCommand _upsertOffset;
    private readonly SqliteCommand _deleteWindows;
    private readonly SqliteCommand _deleteUsers;
    private readonly SqliteCommand _queryWindows;
    private readonly SqliteCommand _queryUsers;
    private readonly SqliteCommand _selectOffsets;
    private readonly SqliteCommand _selectFiles;
    private readonly SqliteCommand _deleteFileWindows;
    private readonly SqliteCommand _deleteFileUsers;
    private readonly RecentWindowCache<(KpiGranularity, DateTimeOffset, KpiKey), KpiWindow> _windows =
        new(CachedWindows, k => (k.Item1, k.Item2));
    private readonly RecentWindowCache<(KpiGranularity, DateTimeOffset, string, string), UserWindow> _users =
        new(CachedUserWindows, k => (k.Item1, k.Item2));

    public SqliteKpiStore(SqliteOptions options)
    {
        _writer = SqliteDatabase.Open(options);
        try
        {
            SqliteDatabase.Migrate(_writer, SchemaSlot, Migrations);
            _reader = SqliteDatabase.Open(options);
        }
        catch
        {
            _writer.Dispose();
            throw;
        }

        const string windowKey = "granularity = $g AND window_start = $start AND service = $service AND endpoint = $endpoint AND level = $level AND status = $status AND file_id = $file";
        string[] windowKeyParameters = ["$g", "$start", "$service", "$endpoint", "$level", "$status", "$file"];
        _selectWindow = SqliteDatabase.Prepare(_writer, $"SELECT {WindowColumns} FROM kpi_windows WHERE {windowKey}", windowKeyParameters);
        _upsertWindow = SqliteDatabase.Prepare(
            _writer,
            $"""
            INSERT INTO kpi_windows ({WindowColumns}) VALUES ($g, $start, $service, $endpoint, $level, $status, $file, $events, $errors, $rc, $sum, $max, $latency)
            ON CONFLICT DO UPDATE SET events = excluded.events, errors = excluded.errors, response_count = excluded.response_count,
                response_sum_ms = excluded.response_sum_ms, response_max_ms = excluded.response_max_ms, latency = excluded.latency
            """,
            [.. windowKeyParameters, "$events", "$errors", "$rc", "$sum", "$max", "$latency"]);
        _selectUsers = SqliteDatabase.Prepare(
            _writer,
            "SELECT users FROM kpi_users WHERE granularity = $g AND window_start = $start AND service = $service AND file_id = $file",
            "$g", "$start", "$service", "$file");
        _upsertUsers = SqliteDatabase.Prepare(
            _writer,
            "INSERT INTO kpi_users (granularity, window_start, service, file_id, users) VALUES ($g, $start, $service, $file, $users) ON CONFLICT DO UPDATE SET users = excluded.users",
            "$g", "$start", "$service", "$file", "$users");
        _upsertOffset = SqliteDatabase.Prepare(
            _writer,
            "INSERT INTO kpi_offsets (consumer_group, topic, bus_partition, next_offset) VALUES ($group, $topic, $partition, $offset) ON CONFLICT DO UPDATE SET next_offset = excluded.next_offset",
            "$group", "$topic", "$partition", "$offset");
        _deleteWindows = SqliteDatabase.Prepare(_writer, "DELETE FROM kpi_windows WHERE granularity = $g AND window_start < $cutoff", "$g", "$cutoff");
        _deleteUsers = SqliteDatabase.Prepare(_writer, "DELETE FROM kpi_users WHERE granularity = $g AND window_start < $cutoff", "$g", "$cutoff");
        const string range = "granularity = $g AND window_start >= $from AND window_start < $to AND ($service IS NULL OR service = $service)";
        _queryWindows = SqliteDatabase.Prepare(
            _reader, $"SELECT {WindowColumns} FROM kpi_windows WHERE {range} ORDER BY window_start", "$g", "$from", "$to", "$service");
        _queryUsers = SqliteDatabase.Prepare(
            _reader, $"SELECT granularity, window_start, service, file_id, users FROM kpi_users WHERE {range} ORDER BY window_start", "$g", "$from", "$to", "$service");
        _selectOffsets = SqliteDatabase.Prepare(
            _reader, "SELECT topic, bus_partition, next_offset FROM kpi_offsets WHERE consumer_group = $group ORDER BY topic, bus_partition", "$group");
        _selectFiles = SqliteDatabase.Prepare(
            _reader, "SELECT DISTINCT file_id FROM kpi_windows WHERE file_id <> '' UNION SELECT DISTINCT file_id FROM kpi_users WHERE file_id <> ''");
        _deleteFileWindows = SqliteDatabase.Prepare(_writer, "DELETE FROM kpi_windows WHERE file_id = $file AND file_id <> ''", "$file");
        _deleteFileUsers = SqliteDatabase.Prepare(_writer, "DELETE FROM kpi_users WHERE file_id = $file AND file_id <> ''", "$file");
    }

    public Task ApplyAsync(KpiBatch batch, string consumerGroup, IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            try
            {
                foreach (var window in batch.Windows)
                {
                    ct.ThrowIfCancellationRequested();
                    WriteMerged(window, transaction);
                }

                foreach (var users in batch.Users)
                {
                    ct.ThrowIfCancellationRequested();
                    WriteMerged(users, transaction);
                }

                foreach (var offset in offsets)
                {
                    _upsertOffset.Bind(transaction, consumerGroup, offset.Topic, offset.Partition, offset.Offset).ExecuteNonQuery();
                }

                ct.ThrowIfCancellationRequested();
                transaction.Commit();
            }
            catch
            {
                // Cached windows were merged in place; the rolled-back database is the truth again.
                _windows.Clear();
                _users.Clear();
                throw;
            }

            _windows.Trim();
            _users.Trim();
        }

        return Task.CompletedTask;
    }

    public IReadOnlyList<TopicPartitionOffset> GetOffsets(string consumerGroup)
    {
        lock (_readLock)
        {
            var offsets = new List<TopicPartitionOffset>();
            using var reader = _selectOffsets.Bind(null, consumerGroup).ExecuteReader();
            while (reader.Read())
            {
                offsets.Add(new TopicPartitionOffset(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
            }

            return offsets;
        }
    }

    public Task<IReadOnlyList<KpiWindow>> QueryAsync(KpiQuery query, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<KpiWindow>>(Query(_queryWindows, query, ReadWindow, ct));

    public Task<IReadOnlyList<UserWindow>> QueryUsersAsync(KpiQuery query, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<UserWindow>>(Query(_queryUsers, query, ReadUsers, ct));

    public Task<IReadOnlyList<string>> ListFilesAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_readLock)
        {
            var files = new List<string>();
            using var reader = _selectFiles.Bind(null).ExecuteReader();
            while (reader.Read())
            {
                files.Add(reader.GetString(0));
            }

            return Task.FromResult<IReadOnlyList<string>>(files);
        }
    }

    public Task DeleteFileAsync(string fileId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileId);
        ct.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            _deleteFileWindows.Bind(transaction, fileId).ExecuteNonQuery();
            _deleteFileUsers.Bind(transaction, fileId).ExecuteNonQuery();
            transaction.Commit();
            _windows.RemoveWhere(k => k.Item3.FileId == fileId);
            _users.RemoveWhere(k => k.Item4 == fileId);
        }

        return Task.CompletedTask;
    }

    public Task DeleteOlderThanAsync(KpiGranularity granularity, DateTimeOffset cutoff, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            using var transaction = _writer.BeginTransaction();
            _deleteWindows.Bind(transaction, (int)granularity, cutoff.UtcTicks).ExecuteNonQuery();
            _deleteUsers.Bind(transaction, (int)granularity, cutoff.UtcTicks).ExecuteNonQuery();
            transaction.Commit();
            _windows.RemoveOlderThan(granularity, cutoff);
            _users.RemoveOlderThan(granularity, cutoff);
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            lock (_readLock)
            {
                foreach (var command in new[]
                {
                    _selectWindow, _upsertWindow, _selectUsers, _upsertUsers, _upsertOffset, _deleteWindows, _deleteUsers, _queryWindows, _queryUsers,
                    _selectOffsets, _selectFiles, _deleteFileWindows, _deleteFileUsers,
                })
                {
                    command.Dispose();
                }

                _writer.Dispose();
                _reader.Dispose();
            }
        }
    }

    private void WriteMerged(KpiWindow window, SqliteTransaction transaction)
    {
        var id = (window.Granularity, window.Start, window.Key);
        var (service, endpoint, level, status, file) = window.Key;
        if (!_windows.TryGet(id, out var stored))
        {
            using (var reader = _selectWindow.Bind(transaction, (int)window.Granularity, window.Start.UtcTicks, service, endpoint, level, status, file).ExecuteReader())
            {
                stored = reader.Read() ? ReadWindow(reader) : new KpiWindow { Granularity = window.Granularity, Start = window.Start, Key = window.Key };
            }

            _windows.Set(id, stored);
        }

        stored.Merge(window);
        _upsertWindow.Bind(
            transaction,
            (int)stored.Granularity,
            stored.Start.UtcTicks,
            service,
            endpoint,
            level,
            status,
            file,
            stored.Count,
            stored.Errors,
            stored.ResponseCount,
            stored.ResponseSumMs,
            stored.ResponseMaxMs,
            stored.Latency.ToBytes()).ExecuteNonQuery();
    }

    private void WriteMerged(UserWindow users, SqliteTransaction transaction)
    {
        var id = (users.Granularity, users.Start, users.Service, users.FileId);
        if (!_users.TryGet(id, out var stored))
        {
            using (var reader = _selectUsers.Bind(transaction, (int)users.Granularity, users.Start.UtcTicks, users.Service, users.FileId).ExecuteReader())
            {
                stored = new UserWindow
                {
                    Granularity = users.Granularity,
                    Start = users.Start,
                    Service = users.Service,
                    FileId = users.FileId,
                    Users = reader.Read() ? DistinctCounter.FromBytes(reader.GetFieldValue<byte[]>(0)) : new DistinctCounter(),
                };
            }

            _users.Set(id, stored);
        }

        stored.Users.Merge(users.Users);
        _upsertUsers.Bind(transaction, (int)stored.Granularity, stored.Start.UtcTicks, stored.Service, stored.FileId, stored.Users.ToBytes()).ExecuteNonQuery();
    }

    private List<T> Query<T>(SqliteCommand command, KpiQuery query, Func<SqliteDataReader, T> read, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_readLock)
        {
            var results = new List<T>();
            using var reader = command.Bind(
                null,
                (int)query.Granularity,
                query.From?.UtcTicks ?? long.MinValue,
                query.To?.UtcTicks ?? long.MaxValue,
                query.Service).ExecuteReader();
            while (reader.Read())
            {
                results.Add(read(reader));
            }

            return results;
        }
    }

    private static KpiWindow ReadWindow(SqliteDataReader r) => new()
    {
        Granularity = (KpiGranularity)r.GetInt32(0),
        Start = new DateTimeOffset(r.GetInt64(1), TimeSpan.Zero),
        Key = new KpiKey(r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6)),
        Count = r.GetInt64(7),
        Errors = r.GetInt64(8),
        ResponseCount = r.GetInt64(9),
        ResponseSumMs = r.GetDouble(10),
        ResponseMaxMs = r.GetDouble(11),
        Latency = LatencySketch.FromBytes(r.GetFieldValue<byte[]>(12)),
    };

    private static UserWindow ReadUsers(SqliteDataReader r) => new()
    {
        Granularity = (KpiGranularity)r.GetInt32(0),
        Start = new DateTimeOffset(r.GetInt64(1), TimeSpan.Zero),
        Service = r.GetString(2),
        FileId = r.GetString(3),
        Users = DistinctCounter.FromBytes(r.GetFieldValue<byte[]>(4)),
    };
}
