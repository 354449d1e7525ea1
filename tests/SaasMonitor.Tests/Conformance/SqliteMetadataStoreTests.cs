using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Tests.Conformance;

public sealed class SqliteMetadataStoreTests : MetadataStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IMetadataStore> CreateStoreAsync() => Task.FromResult<IMetadataStore>(_database.Open(o => new SqliteMetadataStore(o)));

    [Fact]
    public async Task Files_searches_and_history_survive_closing_and_reopening_the_database()
    {
        using (var first = new SqliteMetadataStore(_database.Options))
        {
            await first.CreateFileAsync(File("kept", Now) with { ChunkCount = 2 }, Ct);
            await first.RecordChunksAsync([new("kept", 0, 0, 10, 1)], Ct);
            await first.SaveSearchAsync(new SavedSearch("s1", "errors", "level:ERROR", new Dictionary<string, string>(), "alice", Now), Ct);
            await first.AddSearchHistoryAsync(History("alice", Now, "timeout"), Ct);
        }

        var reopened = _database.Open(o => new SqliteMetadataStore(o));
        var file = await reopened.GetFileAsync("kept", Ct);
        (file!.Status, file.ChunksDone, file.RecordsCount, file.RejectedCount).Should().Be((FileStatus.Processing, 1, 10L, 1L));
        (await reopened.ListSavedSearchesAsync("alice", Ct)).Should().ContainSingle().Which.Id.Should().Be("s1");
        (await reopened.ListSearchHistoryAsync("alice", 10, Ct)).Should().ContainSingle().Which.Query.Should().Be("timeout");

        await reopened.RecordChunksAsync([new("kept", 1, 0, 5, 0)], Ct);
        (await reopened.GetFileAsync("kept", Ct))!.Status.Should().Be(FileStatus.Processed);
    }

    [Fact]
    public async Task Search_history_keeps_the_newest_entries_of_each_owner()
    {
        var store = _database.Open(o => new SqliteMetadataStore(o));
        var extra = 5;
        for (var i = 0; i < SqliteMetadataStore.HistoryPerOwner + extra; i++)
        {
            await store.AddSearchHistoryAsync(History("alice", Now.AddSeconds(i), $"q{i}"), Ct);
        }

        await store.AddSearchHistoryAsync(History("bob", Now, "bob's"), Ct);

        var alice = await store.ListSearchHistoryAsync("alice", 5_000, Ct);
        alice.Should().HaveCount(SqliteMetadataStore.HistoryPerOwner);
        alice[0].Query.Should().Be($"q{SqliteMetadataStore.HistoryPerOwner + extra - 1}");
        alice[^1].Query.Should().Be($"q{extra}");
        (await store.ListSearchHistoryAsync("bob", 10, Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task The_kpi_and_metadata_stores_share_one_database_file()
    {
        var metadata = _database.Open(o => new SqliteMetadataStore(o));
        var kpis = _database.Open(o => new SqliteKpiStore(o));
        await metadata.CreateFileAsync(File("shared", Now), Ct);
        var batch = new KpiBatch();
        batch.Add(new Core.Events.LogEvent { Id = "1", Timestamp = Now, Level = Core.Events.LogLevels.Info });
        await kpis.ApplyAsync(batch, "aggregator", [new("events", 0, 1)], Ct);
        metadata.Dispose();
        kpis.Dispose();

        var metadataAgain = _database.Open(o => new SqliteMetadataStore(o));
        var kpisAgain = _database.Open(o => new SqliteKpiStore(o));
        (await metadataAgain.GetFileAsync("shared", Ct)).Should().NotBeNull();
        (await kpisAgain.QueryAsync(new KpiQuery(KpiGranularity.Day), Ct)).Should().ContainSingle();
    }

    public void Dispose() => _database.Dispose();
}
