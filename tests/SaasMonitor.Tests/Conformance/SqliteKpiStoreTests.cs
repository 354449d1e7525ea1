using SaasMonitor.Core.Kpis;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Tests.Conformance;

public sealed class SqliteKpiStoreTests : KpiStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IKpiStore> CreateStoreAsync() => Task.FromResult<IKpiStore>(_database.Open(o => new SqliteKpiStore(o)));

    [Fact]
    public async Task Windows_offsets_and_users_survive_closing_and_reopening_the_database()
    {
        var at = new DateTimeOffset(2024, 5, 6, 8, 30, 0, TimeSpan.Zero);
        var batch = Batch(Event(at, user: "u1", responseMs: 120), Event(at, user: "u2", responseMs: 80));
        using (var first = new SqliteKpiStore(_database.Options))
        {
            await first.ApplyAsync(batch, "aggregator", [new("events", 0, 2)], TestContext.Current.CancellationToken);
        }

        var reopened = _database.Open(o => new SqliteKpiStore(o));
        reopened.GetOffsets("aggregator").Should().Equal(new Core.Bus.TopicPartitionOffset("events", 0, 2));
        ShouldMatch(await reopened.QueryAsync(new KpiQuery(KpiGranularity.Minute), TestContext.Current.CancellationToken), batch.Windows.Where(w => w.Granularity == KpiGranularity.Minute));
        (await reopened.QueryUsersAsync(new KpiQuery(KpiGranularity.Day), TestContext.Current.CancellationToken)).Single().Users.Estimate().Should().Be(2);

        await reopened.ApplyAsync(batch, "aggregator", [], TestContext.Current.CancellationToken);
        (await reopened.QueryAsync(new KpiQuery(KpiGranularity.Day), TestContext.Current.CancellationToken)).Single().Count.Should().Be(4);
    }

    [Fact]
    public async Task A_store_with_full_synchronous_commits_stores_the_same_data()
    {
        var store = _database.Open(o => new SqliteKpiStore(new SqliteOptions { Path = o.Path, SynchronousFull = true }));
        var at = new DateTimeOffset(2024, 5, 6, 8, 30, 0, TimeSpan.Zero);

        await store.ApplyAsync(Batch(Event(at)), "aggregator", [new("events", 0, 1)], TestContext.Current.CancellationToken);

        (await store.QueryAsync(new KpiQuery(KpiGranularity.Hour), TestContext.Current.CancellationToken)).Should().ContainSingle();
        store.GetOffsets("aggregator").Should().ContainSingle();
    }

    [Fact]
    public async Task Windows_stored_before_the_split_by_file_are_kept_and_outlive_any_file_deletion()
    {
        using (var before = SqliteDatabase.OpenMigrated(_database.Options, SqliteKpiStore.SchemaSlot, SqliteKpiStore.Migrations[..1]))
        using (var insert = before.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO kpi_windows VALUES ($g, 0, 'api', '/api/orders', 'INFO', 200, 7, 1, 0, 0, 0, $latency);
                INSERT INTO kpi_users VALUES ($g, 0, 'api', $users);
                """;
            insert.Parameters.AddWithValue("$g", (int)KpiGranularity.Hour);
            insert.Parameters.AddWithValue("$latency", new LatencySketch().ToBytes());
            insert.Parameters.AddWithValue("$users", new DistinctCounter().ToBytes());
            insert.ExecuteNonQuery();
        }

        var store = _database.Open(o => new SqliteKpiStore(o));
        await store.DeleteFileAsync("any-file", TestContext.Current.CancellationToken);

        var window = (await store.QueryAsync(new KpiQuery(KpiGranularity.Hour), TestContext.Current.CancellationToken)).Should().ContainSingle().Subject;
        window.Key.Should().Be(new KpiKey("api", "/api/orders", "INFO", 200, FileId: ""));
        window.Count.Should().Be(7);
        (await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Hour), TestContext.Current.CancellationToken)).Should().ContainSingle().Which.FileId.Should().BeEmpty();
        (await store.ListFilesAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();
    }

    public void Dispose() => _database.Dispose();
}
