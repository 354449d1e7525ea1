using Microsoft.Data.Sqlite;

namespace SaasMonitor.Embedded.Sqlite;

/// <summary>Opening connections, schema versions and prepared commands shared by the SQLite stores.</summary>
internal static class SqliteDatabase
{
    /// <summary>How long a statement waits for another connection or process to finish its write before failing.</summary>
    private const int BusyTimeoutMs = 10_000;

    /// <summary>
    /// Opens a connection in WAL mode with the configured synchronous level. Several processes on one host may open
    /// the same file (the aggregator writes KPI windows, the gateway and parser write files, the dashboard reads):
    /// WAL lets readers run beside the one writer, and a writer waits up to <see cref="BusyTimeoutMs"/> for another.
    /// </summary>
    public static SqliteConnection Open(SqliteOptions options)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Each store holds its connections for its lifetime; closing them must release the file.
            Pooling = false,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {(options.SynchronousFull ? "FULL" : "NORMAL")};");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens a connection (<see cref="Open"/>) and brings one store's tables up to date (<see cref="Migrate"/>).</summary>
    public static SqliteConnection OpenMigrated(SqliteOptions options, int slot, IReadOnlyList<string> migrations)
    {
        var connection = Open(options);
        try
        {
            Migrate(connection, slot, migrations);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Brings one store's tables up to date. <c>PRAGMA user_version</c> holds one byte per store
    /// (<paramref name="slot"/> 0 in bits 0-7, 1 in bits 8-15, ...), so stores sharing a file keep separate versions.
    /// <paramref name="migrations"/>[i] moves the store's schema from version i to i + 1.
    /// </summary>
    public static void Migrate(SqliteConnection connection, int slot, IReadOnlyList<string> migrations)
    {
        var shift = slot * 8;
        using var transaction = connection.BeginTransaction(deferred: false);
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        read.Transaction = transaction;
        var all = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var current = (all >> shift) & 0xFF;
        if (current > migrations.Count)
        {
            throw new NotSupportedException($"The database schema (version {current}) is newer than this build understands ({migrations.Count}).");
        }

        if (current == migrations.Count)
        {
            return;
        }

        for (var version = current; version < migrations.Count; version++)
        {
            Execute(connection, migrations[version], transaction);
        }

        var updated = (all & ~(0xFF << shift)) | (migrations.Count << shift);
        Execute(connection, $"PRAGMA user_version = {updated}", transaction);
        transaction.Commit();
    }

    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    /// <summary>Sets a prepared command's parameters in the order they were declared, and its transaction.</summary>
    public static SqliteCommand Bind(this SqliteCommand command, SqliteTransaction? transaction, params ReadOnlySpan<object?> values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    /// <summary>A one-off command whose parameters are named $1, $2, ... in the order of <paramref name="values"/>.</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params object?[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue("$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), values[i] ?? DBNull.Value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
