using SaasMonitor.Core.Metadata;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What every <see cref="IMetadataStore"/> must do. A fixture returns an empty store from <see cref="CreateStoreAsync"/>.</summary>
public abstract class MetadataStoreConformanceTests
{
    protected static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<IMetadataStore> CreateStoreAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_goes_from_pending_to_processing_to_processed_as_its_chunks_are_recorded_once_each()
    {
        var store = await CreateStoreAsync();
        var file = File("f1", Now);
        await store.CreateFileAsync(file, Ct);
        (await store.GetFileAsync("f1", Ct)).Should().BeEquivalentTo(file);

        await store.RecordChunksAsync([new("f1", 0, 10, 100, 2)], Ct);
        var processing = await store.GetFileAsync("f1", Ct);
        processing!.Status.Should().Be(FileStatus.Processing);
        (processing.ChunksDone, processing.RecordsCount, processing.RejectedCount).Should().Be((1, 100L, 2L));

        await store.UpdateFileAsync(file with { Status = FileStatus.Processing, SizeBytes = 4_096, ChunkCount = 3 }, Ct);
        await store.RecordChunksAsync([new("f1", 0, 10, 100, 2), new("f1", 1, 4, 50, 0), new("f1", 1, 4, 50, 0)], Ct);
        var almost = await store.GetFileAsync("f1", Ct);
        almost!.Status.Should().Be(FileStatus.Processing);
        almost.ProcessedAt.Should().BeNull();
        (almost.ChunksDone, almost.RecordsCount, almost.RejectedCount, almost.SizeBytes, almost.ChunkCount).Should().Be((2, 150L, 2L, 4_096L, (int?)3));

        await store.RecordChunksAsync([new("f1", 2, 7, 25, 1)], Ct);
        var done = await store.GetFileAsync("f1", Ct);
        done!.Status.Should().Be(FileStatus.Processed);
        done.ProcessedAt.Should().NotBeNull();
        (done.ChunksDone, done.RecordsCount, done.RejectedCount).Should().Be((3, 175L, 3L));
    }

    [Fact]
    public async Task A_file_whose_chunks_were_all_parsed_before_its_chunk_count_was_known_becomes_processed()
    {
        var store = await CreateStoreAsync();
        var file = File("early", Now);
        await store.CreateFileAsync(file, Ct);
        await store.RecordChunksAsync([new("early", 0, 1, 10, 0), new("early", 2, 1, 20, 0)], Ct);

        await store.UpdateFileAsync(file with { Status = FileStatus.Processing, ChunkCount = 2 }, Ct);

        var stored = await store.GetFileAsync("early", Ct);
        stored!.Status.Should().Be(FileStatus.Processed);
        stored.RecordsCount.Should().Be(30);
    }

    [Fact]
    public async Task A_failed_file_keeps_its_error_status_and_message()
    {
        var store = await CreateStoreAsync();
        var file = File("bad", Now);
        await store.CreateFileAsync(file, Ct);

        await store.UpdateFileAsync(file with { Status = FileStatus.Error, Error = "upload aborted", ChunkCount = 1 }, Ct);
        await store.RecordChunksAsync([new("bad", 0, 0, 5, 0)], Ct);

        var stored = await store.GetFileAsync("bad", Ct);
        stored!.Status.Should().Be(FileStatus.Error);
        stored.Error.Should().Be("upload aborted");
    }

    [Fact]
    public async Task Files_are_listed_newest_first_a_page_at_a_time()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.CreateFileAsync(File($"f{i}", Now.AddMinutes(i)), Ct);
        }

        (await store.CountFilesAsync(Ct)).Should().Be(5);
        (await store.ListFilesAsync(0, 2, Ct)).Select(f => f.Id).Should().Equal("f4", "f3");
        (await store.ListFilesAsync(2, 2, Ct)).Select(f => f.Id).Should().Equal("f2", "f1");
        (await store.ListFilesAsync(4, 10, Ct)).Select(f => f.Id).Should().Equal("f0");
    }

    [Fact]
    public async Task Deleting_a_file_removes_it_and_its_chunks()
    {
        var store = await CreateStoreAsync();
        await store.CreateFileAsync(File("gone", Now), Ct);
        await store.RecordChunksAsync([new("gone", 0, 0, 10, 0)], Ct);

        (await store.DeleteFileAsync("gone", Ct)).Should().BeTrue();

        (await store.GetFileAsync("gone", Ct)).Should().BeNull();
        (await store.CountFilesAsync(Ct)).Should().Be(0);
        (await store.DeleteFileAsync("gone", Ct)).Should().BeFalse();
        await store.CreateFileAsync(File("gone", Now), Ct);
        (await store.GetFileAsync("gone", Ct))!.ChunksDone.Should().Be(0);
    }

    [Fact]
    public async Task A_file_marked_deleted_is_hidden_and_listed_for_the_indexer_until_it_is_deleted()
    {
        var store = await CreateStoreAsync();
        await store.CreateFileAsync(File("kept", Now), Ct);
        await store.CreateFileAsync(File("first", Now.AddMinutes(1)), Ct);
        await store.CreateFileAsync(File("second", Now.AddMinutes(2)), Ct);

        (await store.MarkFileDeletedAsync("first", Ct)).Should().BeTrue();
        (await store.MarkFileDeletedAsync("second", Ct)).Should().BeTrue();

        (await store.MarkFileDeletedAsync("first", Ct)).Should().BeFalse("it is marked already");
        (await store.MarkFileDeletedAsync("unknown", Ct)).Should().BeFalse();
        (await store.GetFileAsync("first", Ct)).Should().BeNull();
        (await store.ListFilesAsync(0, 10, Ct)).Select(f => f.Id).Should().Equal("kept");
        (await store.CountFilesAsync(Ct)).Should().Be(1);
        (await store.ListDeletedFilesAsync(Ct)).Should().Equal("first", "second");
        (await store.DeleteFileAsync("first", Ct)).Should().BeTrue();
        (await store.ListDeletedFilesAsync(Ct)).Should().Equal("second");
    }

    [Fact]
    public async Task Saved_searches_are_kept_per_owner_updated_by_id_and_deleted()
    {
        var store = await CreateStoreAsync();
        var filters = new Dictionary<string, string> { ["level"] = "ERROR", ["service"] = "api,web" };
        var alice = await store.SaveSearchAsync(new SavedSearch("", "api errors", "timeout", filters, "alice", Now), Ct);
        await store.SaveSearchAsync(new SavedSearch("s2", "slow", "response_time_ms:[1000 TO *]", new Dictionary<string, string>(), "bob", Now.AddMinutes(1)), Ct);

        alice.Id.Should().NotBeNullOrEmpty();
        var alices = await store.ListSavedSearchesAsync("alice", Ct);
        alices.Should().ContainSingle().Which.Should().BeEquivalentTo(alice);
        alices[0].Filters.Should().BeEquivalentTo(filters);
        (await store.ListSavedSearchesAsync(null, Ct)).Select(s => s.Name).Should().Equal("slow", "api errors");

        await store.SaveSearchAsync(alice with { Name = "api errors (renamed)" }, Ct);
        (await store.ListSavedSearchesAsync("alice", Ct)).Should().ContainSingle().Which.Name.Should().Be("api errors (renamed)");

        (await store.DeleteSavedSearchAsync(alice.Id, Ct)).Should().BeTrue();
        (await store.DeleteSavedSearchAsync(alice.Id, Ct)).Should().BeFalse();
        (await store.ListSavedSearchesAsync("alice", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Search_history_is_listed_newest_first_per_owner()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.AddSearchHistoryAsync(History("alice", Now.AddSeconds(i), $"q{i}"), Ct);
        }

        await store.AddSearchHistoryAsync(History("bob", Now.AddSeconds(2.5), "bob's"), Ct);

        var alice = await store.ListSearchHistoryAsync("alice", 3, Ct);
        alice.Select(h => h.Query).Should().Equal("q4", "q3", "q2");
        alice[0].Should().BeEquivalentTo(History("alice", Now.AddSeconds(4), "q4"));
        (await store.ListSearchHistoryAsync("bob", 10, Ct)).Select(h => h.Query).Should().Equal("bob's");
        (await store.ListSearchHistoryAsync(null, 4, Ct)).Select(h => h.Query).Should().Equal("q4", "q3", "bob's", "q2");
    }

    [Fact]
    public async Task The_first_ingest_receipt_for_a_key_is_kept_and_old_receipts_are_forgotten()
    {
        var store = await CreateStoreAsync();
        var first = new IngestReceipt("http\nretry-1", "fp-a", 10, 1, Now);

        (await store.KeepIngestReceiptAsync(first, Now.AddDays(-1), Ct)).Should().Be(first);
        (await store.KeepIngestReceiptAsync(first with { Fingerprint = "fp-b", Accepted = 99 }, Now.AddDays(-1), Ct)).Should().Be(first);
        (await store.GetIngestReceiptAsync("http\nretry-1", Ct)).Should().Be(first);
        (await store.GetIngestReceiptAsync("http\nother", Ct)).Should().BeNull();

        var later = new IngestReceipt("http\nretry-2", "fp-c", 1, 1, Now.AddDays(2));
        await store.KeepIngestReceiptAsync(later, Now.AddDays(1), Ct);
        (await store.GetIngestReceiptAsync("http\nretry-1", Ct)).Should().BeNull("it was taken before the cut-off");
        (await store.GetIngestReceiptAsync("http\nretry-2", Ct)).Should().Be(later);
    }

    [Fact]
    public async Task A_receipt_kept_before_its_records_are_written_holds_the_key_until_marked_written_or_forgotten()
    {
        var store = await CreateStoreAsync();
        var writing = new IngestReceipt("http\nreserved", "fp-a", 10, 1, Now, Written: false);

        (await store.KeepIngestReceiptAsync(writing, Now.AddDays(-1), Ct)).Should().Be(writing);
        (await store.KeepIngestReceiptAsync(writing with { At = Now.AddSeconds(1) }, Now.AddDays(-1), Ct)).Should().Be(writing, "a second request with the key finds the first one writing");

        await store.MarkIngestReceiptWrittenAsync("http\nreserved", Ct);
        (await store.GetIngestReceiptAsync("http\nreserved", Ct)).Should().Be(writing with { Written = true });

        await store.ForgetIngestReceiptAsync("http\nreserved", Ct);
        (await store.GetIngestReceiptAsync("http\nreserved", Ct)).Should().BeNull();
        var retry = writing with { At = Now.AddSeconds(2) };
        (await store.KeepIngestReceiptAsync(retry, Now.AddDays(-1), Ct)).Should().Be(retry, "a forgotten key is free for a retry");
    }

    protected static LogFile File(string id, DateTimeOffset uploadedAt) => new()
    {
        Id = id,
        FileName = $"{id}.log",
        FileType = "log",
        SizeBytes = 1_024,
        Status = FileStatus.Pending,
        UploadedAt = uploadedAt,
        UploadedBy = "alice",
    };

    protected static SearchHistoryEntry History(string owner, DateTimeOffset at, string query) =>
        new(query, new Dictionary<string, string> { ["level"] = "ERROR" }, 42, 3.5, owner, at);
}
