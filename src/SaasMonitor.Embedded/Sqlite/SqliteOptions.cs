namespace SaasMonitor.Embedded.Sqlite;

/// <summary>Where an embedded SQLite store keeps its data and how hard it makes commits durable.</summary>
public sealed class SqliteOptions
{
    /// <summary>The database file; created, with its folder, when missing. Several stores may share one file.</summary>
    public required string Path { get; set; }

    /// <summary>
    /// False (default): <c>synchronous=NORMAL</c> in WAL mode, so a commit survives the process being killed.
    /// True: <c>synchronous=FULL</c>, fsync on every commit, so a commit also survives power loss, at a higher cost per commit.
    /// </summary>
    public bool SynchronousFull { get; set; }
}
