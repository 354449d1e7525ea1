using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Tests.Conformance;

/// <summary>A database file in a fresh temporary folder; disposes the stores opened on it, then deletes the folder.</summary>
public sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "saasmon-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly List<IDisposable> _opened = [];

    public SqliteOptions Options => new() { Path = Path.Combine(_folder, "saasmon.db") };

    public T Open<T>(Func<SqliteOptions, T> open)
        where T : IDisposable
    {
        var store = open(Options);
        _opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
