using MongoDB.Driver;
using SaasMonitor.MongoDB;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// The MongoDB server that SAASMON_TEST_MONGODB_URL names (a replica set: the KPI store writes in transactions); each test
/// gets a database of its own, dropped when the test class is disposed. Without the variable, <see cref="Database"/>
/// skips the test with the reason.
/// </summary>
public sealed class MongoTestServer : IDisposable
{
    public const string Variable = "SAASMON_TEST_MONGODB_URL";

    private readonly List<string> _databases = [];
    private readonly MongoClient? _client = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? new MongoClient(url) : null;

    /// <summary>A store on a fresh database, its indexes created as at start; or a skipped test.</summary>
    internal async Task<T> OpenAsync<T>(Func<IMongoDatabase, T> open)
        where T : IMongoSchema
    {
        var store = open(await DatabaseAsync());
        await store.CreateIndexesAsync(TestContext.Current.CancellationToken);
        return store;
    }

    /// <summary>As <see cref="OpenAsync"/>, for suites that create their store synchronously.</summary>
    internal T Open<T>(Func<IMongoDatabase, T> open)
        where T : IMongoSchema =>
        OpenAsync(open).GetAwaiter().GetResult();

    /// <summary>A fresh database, or a skipped test.</summary>
    internal Task<IMongoDatabase> DatabaseAsync()
    {
        if (_client is null)
        {
            Assert.Skip($"no MongoDB server: set {Variable}=mongodb://host:27017/?replicaSet=rs0 (no server can run on this machine)");
        }

        var name = "saasmon_test_" + Guid.NewGuid().ToString("N")[..12];
        _databases.Add(name);
        return Task.FromResult(_client.GetDatabase(name));
    }

    public void Dispose()
    {
        foreach (var name in _databases)
        {
            _client!.DropDatabase(name);
        }

        _client?.Dispose();
    }
}
