using MongoDB.Bson;
using MongoDB.Driver;
using SaasMonitor.Core.Metadata;
using SaasMonitor.MongoDB.Metadata;

namespace SaasMonitor.Tests.MongoDB;

/// <summary>The metadata store's filters, updates, indexes and documents as the driver renders them.</summary>
public sealed class MongoMetadataCommandTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_chunk_result_is_set_under_its_partition_and_offset_so_recording_it_twice_counts_it_once()
    {
        var file = FileDocument.From(File() with { ChunkCount = 2 });
        var stored = MongoRender.Document(file);
        var update = MongoRender.Update(MetadataCommands.RecordChunk(new("f1", 1, 4, 50, 2)));

        update.ShouldBe(new BsonDocument("$set", new BsonDocument("chunks.1:4", new BsonDocument { ["records"] = 50L, ["rejected"] = 2L })));
        var filter = MongoRender.Filter(MetadataCommands.File("f1"));
        stored = MongoRender.Upsert(MongoRender.Upsert(stored, filter, update), filter, update);
        stored = MongoRender.Upsert(stored, filter, MongoRender.Update(MetadataCommands.RecordChunk(new("f1", 0, 9, 10, 0))));

        var read = MongoRender.Read<FileDocument>(stored).ToFile();
        (read.ChunksDone, read.RecordsCount, read.RejectedCount).Should().Be((2, 60L, 2L));
    }

    [Fact]
    public void A_file_with_all_its_chunks_becomes_processed_only_while_it_is_still_pending_or_processing()
    {
        var file = FileDocument.From(File() with { ChunkCount = 1 });
        file.Chunks["0:1"] = new ChunkDocument { Records = 5 };

        var (filter, update) = MetadataCommands.Advance(file, Now)!.Value;

        MongoRender.Filter(filter).ShouldBe(new BsonDocument { ["_id"] = "f1", ["status"] = new BsonDocument("$in", new BsonArray { 0, 1 }) });
        MongoRender.Update(update).ShouldBe(new BsonDocument
        {
            ["$set"] = new BsonDocument("status", 2),
            ["$min"] = new BsonDocument("processedAt", Now.UtcTicks),
        });
    }

    [Fact]
    public void A_file_moves_to_processing_with_its_first_chunk_and_not_before_unless_it_has_no_chunks()
    {
        var pending = FileDocument.From(File());
        MetadataCommands.Advance(pending, Now).Should().BeNull();

        pending.Chunks["0:1"] = new ChunkDocument();
        MongoRender.Update(MetadataCommands.Advance(pending, Now)!.Value.Update).ShouldBe(new BsonDocument("$set", new BsonDocument("status", 1)));

        var empty = FileDocument.From(File() with { ChunkCount = 0 });
        MongoRender.Update(MetadataCommands.Advance(empty, Now)!.Value.Update)["$set"]["status"].Should().Be(new BsonInt32(2));

        var failed = FileDocument.From(File() with { Status = FileStatus.Error, ChunkCount = 1 });
        failed.Chunks["0:1"] = new ChunkDocument();
        MetadataCommands.Advance(failed, Now).Should().BeNull();
    }

    [Fact]
    public void Files_marked_deleted_are_told_apart_by_a_deletedAt_field_that_visible_files_lack()
    {
        MongoRender.Filter(MetadataCommands.Visible).ShouldBe(new BsonDocument("deletedAt", BsonNull.Value));
        MongoRender.Filter(MetadataCommands.MarkedDeleted).ShouldBe(new BsonDocument("deletedAt", new BsonDocument("$ne", BsonNull.Value)));
        MongoRender.Update(MetadataCommands.MarkDeleted(Now)).ShouldBe(new BsonDocument("$set", new BsonDocument("deletedAt", Now.UtcTicks)));
        MongoRender.Document(FileDocument.From(File())).Names.Should().NotContain(["deletedAt", "processedAt", "chunkCount", "error"]);
        MongoRender.Keys(MetadataCommands.FilesDeleted.Keys).ShouldBe(new BsonDocument { ["deletedAt"] = 1, ["_id"] = 1 });
        var partial = ((CreateIndexOptions<FileDocument>)MetadataCommands.FilesDeleted.Options).PartialFilterExpression;
        MongoRender.Filter(partial).ShouldBe(new BsonDocument("deletedAt", new BsonDocument("$exists", true)));
        MongoRender.Keys(MetadataCommands.FilesNewestFirst.Keys).ShouldBe(new BsonDocument { ["uploadedAt"] = -1, ["_id"] = -1 });
    }

    [Fact]
    public void A_file_round_trips_through_its_document()
    {
        var file = File() with { ProcessedAt = Now.AddTicks(12_345), ChunkCount = 3, Error = "bad line 3", UploadedBy = "alice", SizeBytes = 4_096 };

        MongoRender.Read<FileDocument>(MongoRender.Document(FileDocument.From(file))).ToFile().Should().BeEquivalentTo(file);
    }

    [Fact]
    public void Saving_a_search_updates_it_by_id_keeps_when_it_was_created_and_stores_filters_as_pairs()
    {
        var search = new SavedSearch("s1", "errors", "level:ERROR", new Dictionary<string, string> { ["level"] = "ERROR", ["x.y"] = "$z" }, "alice", Now);

        var update = MongoRender.Update(MetadataCommands.Save(search));

        update.ShouldBe(new BsonDocument
        {
            ["$set"] = new BsonDocument
            {
                ["name"] = "errors",
                ["query"] = "level:ERROR",
                ["filters"] = new BsonArray { new BsonDocument { ["k"] = "level", ["v"] = "ERROR" }, new BsonDocument { ["k"] = "x.y", ["v"] = "$z" } },
                ["owner"] = "alice",
            },
            ["$setOnInsert"] = new BsonDocument("createdAt", Now.UtcTicks),
        });
        var stored = MongoRender.Upsert(null, new BsonDocument("_id", "s1"), update);
        MongoRender.Read<SavedSearchDocument>(stored).ToSearch().Should().BeEquivalentTo(search);
    }

    [Fact]
    public void Search_history_expires_by_a_ttl_index_on_a_bson_date_and_is_listed_newest_first()
    {
        var entry = new SearchHistoryEntry("timeout", new Dictionary<string, string>(), 12, 3.5, "alice", Now.AddTicks(7));
        var document = MongoRender.Document(SearchHistoryDocument.From(entry));

        document["date"].BsonType.Should().Be(BsonType.DateTime, "a TTL index only expires documents whose field is a date");
        var ttl = MetadataCommands.HistoryExpiry(TimeSpan.FromDays(30));
        MongoRender.Keys(ttl.Keys).ShouldBe(new BsonDocument("date", 1));
        ttl.Options.ExpireAfter.Should().Be(TimeSpan.FromDays(30));
        MongoRender.Keys(MetadataCommands.HistoryByOwner.Keys).ShouldBe(new BsonDocument { ["owner"] = 1, ["at"] = -1, ["_id"] = -1 });
        MongoRender.Read<SearchHistoryDocument>(document).ToEntry().Should().BeEquivalentTo(entry);
    }

    [Fact]
    public void The_first_ingest_receipt_for_a_key_wins_by_setting_fields_only_on_insert()
    {
        var receipt = new IngestReceipt("alice:k1", "sha256:ab", 10, 1, Now);

        var update = MongoRender.Update(MetadataCommands.KeepFirst(receipt));

        update.Names.Should().Equal("$setOnInsert");
        var stored = MongoRender.Upsert(null, new BsonDocument("_id", "alice:k1"), update);
        MongoRender.Read<IngestReceiptDocument>(stored).ToReceipt().Should().Be(receipt);
        var retried = MongoRender.Update(MetadataCommands.KeepFirst(receipt with { Fingerprint = "sha256:cd", Accepted = 99 }));
        MongoRender.Read<IngestReceiptDocument>(MongoRender.Upsert(stored, new BsonDocument("_id", "alice:k1"), retried)).ToReceipt().Should().Be(receipt);
        MongoRender.Filter(MetadataCommands.ReceiptsBefore(Now)).ShouldBe(new BsonDocument("at", new BsonDocument("$lt", Now.UtcTicks)));
    }

    [Fact]
    public void A_receipt_is_kept_unwritten_then_marked_written_and_receipts_stored_before_the_flag_read_as_written()
    {
        var writing = new IngestReceipt("alice:k2", "sha256:ab", 10, 1, Now, Written: false);
        var stored = MongoRender.Upsert(null, new BsonDocument("_id", "alice:k2"), MongoRender.Update(MetadataCommands.KeepFirst(writing)));
        stored["written"].Should().Be(BsonBoolean.False);

        var update = MongoRender.Update(MetadataCommands.ReceiptWritten);

        update.ShouldBe(new BsonDocument("$set", new BsonDocument("written", true)));
        MongoRender.Read<IngestReceiptDocument>(MongoRender.Upsert(stored, new BsonDocument("_id", "alice:k2"), update)).ToReceipt().Should().Be(writing with { Written = true });
        MongoRender.Filter(MetadataCommands.Receipt("alice:k2")).ShouldBe(new BsonDocument("_id", "alice:k2"));
        stored.Remove("written");
        MongoRender.Read<IngestReceiptDocument>(stored).ToReceipt().Written.Should().BeTrue();
    }

    private static LogFile File() => new() { Id = "f1", FileName = "app.log", FileType = "log", UploadedAt = Now, Status = FileStatus.Pending };
}
