using Indexer.Worker;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Tests.Conformance;
using SaasMonitor.Tests.Search;
using static SaasMonitor.Tests.Conformance.SearchTestEvents;

namespace SaasMonitor.Tests.Hosting;

/// <summary>A gateway marks a file deleted; the indexer, the only writer of the index, removes its events.</summary>
public sealed class FileDeletionTests : IDisposable
{
    private readonly TempIndexFolder _folder = new();
    private readonly SqliteTestDatabase _database = new();
    private readonly LuceneSearchStore _index;
    private readonly SqliteMetadataStore _metadata;

    public FileDeletionTests()
    {
        _index = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path });
        _metadata = _database.Open(o => new SqliteMetadataStore(o));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _index.Dispose();
        _database.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_indexer_removes_the_events_of_files_marked_deleted_and_then_their_records()
    {
        await UploadAsync("gone", 3);
        await UploadAsync("kept", 2);
        using var reader = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path, ReadOnly = true, RefreshInterval = TimeSpan.Zero });
        await _metadata.MarkFileDeletedAsync("gone", Ct);

        var removed = await DeletedFiles.PurgeAsync(_metadata, _index, Ct);

        removed.Should().Be(3);
        (await reader.CountAsync(new SearchQuery { FileId = "gone" }, Ct)).Should().Be(0, "the removal is committed, so other processes see it");
        (await reader.CountAsync(new SearchQuery { FileId = "kept" }, Ct)).Should().Be(2);
        (await _metadata.ListDeletedFilesAsync(Ct)).Should().BeEmpty();
        (await _metadata.GetFileAsync("kept", Ct)).Should().NotBeNull();
    }

    [Fact]
    public async Task With_no_file_marked_deleted_the_index_is_left_alone()
    {
        await UploadAsync("kept", 2);

        var removed = await DeletedFiles.PurgeAsync(_metadata, _index, Ct);

        removed.Should().Be(0);
        (await _index.CountAsync(new SearchQuery(), Ct)).Should().Be(2);
    }

    private async Task UploadAsync(string fileId, int events)
    {
        await _metadata.CreateFileAsync(new LogFile { Id = fileId, FileName = fileId + ".log", FileType = "log", UploadedAt = Day1 }, Ct);
        LogEvent[] batch = [.. Enumerable.Range(0, events).Select(i => Event($"{fileId}-{i}", Day1.AddMinutes(i)) with { FileId = fileId })];
        await _index.UpsertAsync(batch, Ct);
        await _index.FlushAsync(Ct);
    }
}
