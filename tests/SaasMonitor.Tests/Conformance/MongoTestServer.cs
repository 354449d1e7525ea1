using MongoDB.Driver;
using SaasMonitor.MongoDB;
using SaasMonitor.Testing;
using Testcontainers.MongoDb;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// The MongoDB server that SAASMON_TEST_MONGODB_URL names, else a one-node replica set started in Docker
/// (Testcontainers) for the whole run (the KPI store writes in transactions, so it must be a replica set); each test
/// gets a database of its own, dropped when the test class is disposed. Without either, <see cref="DatabaseAsync"/>
/// skips the test with the reason.
/// </summary>
public sealed class MongoTestServer : IAsyncLifetime
{
    public const string Variable = "SAASMON_TEST_MONGODB_URL";

    /// <summary>The version docker-compose.yml runs.</summary>
    private const string Image = "mongo:8.0";

    /// <summary>One replica set for the whole run when Docker answers; Testcontainers removes it when the test process ends.</summary>
    private static readonly Lazy<Task<string?>> InDocker = new(StartInDockerAsync);

    private readonly List<string> _databases = [];
    private MongoClient? _client;

    public async ValueTask InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } set ? set : await InDocker.Value;
        _client = url is null ? null : new MongoClient(url);
    }

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
            Assert.Skip($"no MongoDB server: set {Variable}=mongodb://host:27017/?replicaSet=rs0 or run with Docker (neither is available on this machine)");
        }

        var name = "saasmon_test_" + Guid.NewGuid().ToString("N")[..12];
        _databases.Add(name);
        return Task.FromResult(_client.GetDatabase(name));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _databases)
        {
            await _client!.DropDatabaseAsync(name);
        }

        _client?.Dispose();
    }

    private static async Task<string?> StartInDockerAsync()
    {
        if (!await DockerEngine.AnswersAsync())
        {
            return null;
        }

        var replicaSet = new MongoDbBuilder(Image).WithReplicaSet().Build();
        await replicaSet.StartAsync();
        return replicaSet.GetConnectionString();
    }
}
