using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Tests.Conformance;

namespace SaasMonitor.Tests.Hosting;

/// <summary>
/// Processes on one host share one SQLite file: the gateway and parser write files, the aggregator writes KPI
/// windows, the dashboard reads both. Each store instance here stands for one process with its own connections.
/// </summary>
public sealed class SharedDatabaseTests : IDisposable
{
    private const int FilesPerWriter = 200;
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Stores_on_the_same_file_write_concurrently_without_losing_a_write()
    {
        var gateway = _database.Open(o => new SqliteMetadataStore(o));
        var parser = _database.Open(o => new SqliteMetadataStore(o));
        var aggregator = _database.Open(o => new SqliteKpiStore(o));
        var dashboard = _database.Open(o => new SqliteKpiStore(o));

        await Task.WhenAll(
            Task.Run(() => CreateFilesAsync(gateway, "gateway"), Ct),
            Task.Run(() => CreateFilesAsync(parser, "parser"), Ct),
            Task.Run(() => ApplyMinutesAsync(aggregator), Ct),
            Task.Run(() => ReadWindowsAsync(dashboard), Ct));

        (await gateway.CountFilesAsync(Ct)).Should().Be(2 * FilesPerWriter);
        (await parser.GetFileAsync("gateway-199", Ct)).Should().NotBeNull();
        (await dashboard.QueryAsync(new KpiQuery(KpiGranularity.Minute), Ct)).Should().HaveCount(FilesPerWriter);
        dashboard.GetOffsets("aggregator").Should().Equal(new Core.Bus.TopicPartitionOffset("events", 0, FilesPerWriter));
    }

    private static async Task CreateFilesAsync(IMetadataStore store, string writer)
    {
        for (var i = 0; i < FilesPerWriter; i++)
        {
            await store.CreateFileAsync(new LogFile { Id = $"{writer}-{i}", FileName = "a.log", FileType = "log", UploadedAt = Start.AddSeconds(i) }, Ct);
            await store.RecordChunksAsync([new FileChunkResult($"{writer}-{i}", 0, i, 10, 0)], Ct);
        }
    }

    private static async Task ApplyMinutesAsync(IKpiStore store)
    {
        for (var i = 0; i < FilesPerWriter; i++)
        {
            var batch = new KpiBatch();
            batch.Add(new Core.Events.LogEvent { Id = $"e{i}", Timestamp = Start.AddMinutes(i), Level = "INFO", Service = "api", Message = "ok" });
            await store.ApplyAsync(batch, "aggregator", [new("events", 0, i + 1)], Ct);
        }
    }

    private static async Task ReadWindowsAsync(IKpiStore store)
    {
        for (var i = 0; i < FilesPerWriter; i++)
        {
            await store.QueryAsync(new KpiQuery(KpiGranularity.Hour), Ct);
        }
    }
}
