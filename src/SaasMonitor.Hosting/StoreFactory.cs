using SaasMonitor.Core.Identity;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Hosting;

/// <summary>Opens the stores of the data folder: for the server's modules and for operator commands.</summary>
public static class StoreFactory
{
    /// <summary>Users, sessions, API tokens, ingest keys and the audit log.</summary>
    public static IIdentityStore Identity(SaasMonitorOptions options) => new SqliteIdentityStore(Sqlite(options));

    /// <summary>The embedded database every SQLite store of the data folder shares.</summary>
    internal static SqliteOptions Sqlite(SaasMonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDirectory);
        return new SqliteOptions { Path = Path.Combine(options.DataDirectory, "saasmon.db"), SynchronousFull = options.Fsync };
    }
}
