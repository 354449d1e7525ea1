using MongoDB.Bson;
using MongoDB.Driver;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.MongoDB.Kpis;
using SaasMonitor.Tests.Kpis;

namespace SaasMonitor.Tests.MongoDB;

/// <summary>The KPI store's filters, updates and indexes as the driver renders them, checked against MongoDB's query language.</summary>
public sealed class MongoKpiCommandTests
{
    private static readonly DateTimeOffset Start = new(2024, 5, 6, 8, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_window_is_found_by_its_granularity_start_and_key()
    {
        var filter = MongoRender.Filter(KpiCommands.WindowKey(Window(Event(120))));

        filter.ShouldBe(new BsonDocument
        {
            ["granularity"] = 0,
            ["start"] = Start.UtcTicks,
            ["service"] = "api",
            ["endpoint"] = "/api/orders",
            ["level"] = "INFO",
            ["status"] = 200,
            ["file"] = "",
        });
        filter["start"].BsonType.Should().Be(BsonType.Int64);
    }

    [Fact]
    public void Merging_a_window_is_one_inc_min_max_update_whose_counts_are_64_bit_integers()
    {
        var window = Window(Event(120), Event(80), Event(0.0001));

        var update = MongoRender.Update(KpiCommands.Merge(window));

        update.Names.Should().BeEquivalentTo("$inc", "$min", "$max");
        var inc = update["$inc"].AsBsonDocument;
        inc["count"].Should().Be(new BsonInt64(3));
        inc["errors"].Should().Be(new BsonInt64(0));
        inc["responses"].Should().Be(new BsonInt64(3));
        inc["responseSumMs"].Should().Be(new BsonDouble(200.0001));
        inc["latency.zero"].Should().Be(new BsonInt64(1));
        inc.Names.Where(n => n.StartsWith("latency.buckets.", StringComparison.Ordinal)).Should().HaveCount(2);
        inc.Where(e => e.Name.StartsWith("latency.buckets.", StringComparison.Ordinal)).Should().AllSatisfy(e => e.Value.BsonType.Should().Be(BsonType.Int64));
        update["$min"].Should().Be(new BsonDocument("latency.min", 0.0001));
        update["$max"].Should().Be(new BsonDocument { ["responseMaxMs"] = 120.0, ["latency.max"] = 120.0 });
    }

    [Fact]
    public void A_window_without_response_times_leaves_the_extremes_alone()
    {
        var update = MongoRender.Update(KpiCommands.Merge(Window(Event(null))));

        update.Names.Should().Equal("$inc");
        update["$inc"].AsBsonDocument.Names.Should().BeEquivalentTo("count", "errors", "responses", "responseSumMs");
    }

    [Fact]
    public void Upserting_windows_as_the_server_applies_the_operators_stores_what_merging_them_in_memory_gives()
    {
        var events = KpiTestEvents.Generate(2_000, seed: 5, hours: 1);
        var halves = new[] { events[..1_000], events[1_000..] };
        var expected = Batch(events).Windows.ToDictionary(w => (w.Granularity, w.Start, w.Key));
        var stored = new Dictionary<(KpiGranularity, DateTimeOffset, KpiKey), BsonDocument>();

        foreach (var half in halves)
        {
            foreach (var window in Batch(half).Windows)
            {
                var id = (window.Granularity, window.Start, window.Key);
                stored[id] = MongoRender.Upsert(
                    stored.GetValueOrDefault(id), MongoRender.Filter(KpiCommands.WindowKey(window)), MongoRender.Update(KpiCommands.Merge(window)));
            }
        }

        stored.Should().HaveSameCount(expected);
        foreach (var (id, document) in stored)
        {
            var read = MongoRender.Read<KpiWindowDocument>(document).ToWindow();
            expected.Should().ContainKey(id);
            var want = expected[id];
            (read.Granularity, read.Start, read.Key).Should().Be((want.Granularity, want.Start, want.Key));
            (read.Count, read.Errors, read.ResponseCount, read.ResponseMaxMs).Should().Be((want.Count, want.Errors, want.ResponseCount, want.ResponseMaxMs));
            read.ResponseSumMs.Should().BeApproximately(want.ResponseSumMs, 1e-6);
            read.Latency.ToBytes().Should().Equal(want.Latency.ToBytes());
        }
    }

    [Fact]
    public void Queries_select_one_granularity_a_half_open_start_range_and_optionally_a_service()
    {
        var query = new KpiQuery(KpiGranularity.Hour, Start, Start.AddHours(2)) { Service = "" };

        MongoRender.Filter(KpiCommands.Range<KpiWindowDocument>(query)).ShouldBe(new BsonDocument
        {
            ["granularity"] = 1,
            ["start"] = new BsonDocument { ["$gte"] = Start.UtcTicks, ["$lt"] = Start.AddHours(2).UtcTicks },
            ["service"] = "",
        });
        MongoRender.Filter(KpiCommands.Range<UserWindowDocument>(new KpiQuery(KpiGranularity.Day))).ShouldBe(new BsonDocument("granularity", 2));
        MongoRender.Filter(KpiCommands.OlderThan<UserWindowDocument>(KpiGranularity.Minute, Start)).ShouldBe(
            new BsonDocument { ["granularity"] = 0, ["start"] = new BsonDocument("$lt", Start.UtcTicks) });
    }

    [Fact]
    public void Stored_user_windows_are_looked_up_by_granularity_starts_and_services_and_replaced_with_the_merged_counter()
    {
        var batch = Batch(Event(1, "u1"), Event(1, "u2"));
        var minutes = batch.Users.Where(u => u.Granularity == KpiGranularity.Minute).ToList();

        MongoRender.Filter(KpiCommands.UserWindowsOf(KpiGranularity.Minute, minutes)).ShouldBe(new BsonDocument
        {
            ["granularity"] = 0,
            ["start"] = new BsonDocument("$in", new BsonArray { Start.UtcTicks }),
            ["service"] = new BsonDocument("$in", new BsonArray { "api" }),
            ["file"] = new BsonDocument("$in", new BsonArray { "" }),
        });
        var existing = ObjectId.GenerateNewId();
        var replace = KpiCommands.StoreUsers(minutes[0], existing);
        replace.IsUpsert.Should().BeTrue();
        var document = MongoRender.Document(replace.Replacement);
        document.Names.Should().Equal("_id", "granularity", "start", "service", "file", "users");
        document["_id"].Should().Be(existing);
        document["users"].BsonType.Should().Be(BsonType.Binary);
        MongoRender.Read<UserWindowDocument>(document).ToWindow().Users.Estimate().Should().Be(2);
    }

    [Fact]
    public void An_uploaded_files_windows_are_kept_apart_and_found_by_its_id()
    {
        var window = Window(Event(120) with { FileId = "f-1" });

        MongoRender.Filter(KpiCommands.WindowKey(window))["file"].Should().Be(new BsonString("f-1"));
        MongoRender.Filter(KpiCommands.OfFile<KpiWindowDocument>("f-1")).ShouldBe(new BsonDocument("file", "f-1"));
        MongoRender.Filter(KpiCommands.OfFile<UserWindowDocument>("f-1")).ShouldBe(new BsonDocument("file", "f-1"));
        MongoRender.Filter(KpiCommands.AnyFile).ShouldBe(new BsonDocument("file", new BsonDocument("$ne", "")));
    }

    [Fact]
    public void Offsets_are_set_per_group_topic_and_partition_with_upsert()
    {
        var model = KpiCommands.StoreOffset("aggregator", new("events", 3, 42));

        model.IsUpsert.Should().BeTrue();
        MongoRender.Filter(model.Filter).ShouldBe(new BsonDocument { ["group"] = "aggregator", ["topic"] = "events", ["partition"] = 3 });
        MongoRender.Update(model.Update).ShouldBe(new BsonDocument("$set", new BsonDocument("next", 42L)));
    }

    [Fact]
    public void Indexes_are_unique_on_the_keys_the_sqlite_tables_use_as_primary_keys()
    {
        Unique(KpiCommands.WindowIndex.Keys, KpiCommands.WindowIndex.Options).ShouldBe(
            new BsonDocument { ["granularity"] = 1, ["start"] = 1, ["service"] = 1, ["endpoint"] = 1, ["level"] = 1, ["status"] = 1, ["file"] = 1 });
        Unique(KpiCommands.UserIndex.Keys, KpiCommands.UserIndex.Options).ShouldBe(new BsonDocument { ["granularity"] = 1, ["start"] = 1, ["service"] = 1, ["file"] = 1 });
        Unique(KpiCommands.OffsetIndex.Keys, KpiCommands.OffsetIndex.Options).ShouldBe(new BsonDocument { ["group"] = 1, ["topic"] = 1, ["partition"] = 1 });
    }

    internal static BsonDocument Unique<T>(IndexKeysDefinition<T> keys, CreateIndexOptions options)
    {
        options.Unique.Should().BeTrue();
        return MongoRender.Keys(keys);
    }

    private static KpiBatch Batch(params IEnumerable<LogEvent> events)
    {
        var batch = new KpiBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        return batch;
    }

    private static KpiWindow Window(params LogEvent[] events) => Batch(events).Windows.First(w => w.Granularity == KpiGranularity.Minute);

    private static LogEvent Event(double? responseMs, string? user = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Timestamp = Start,
        Level = LogLevels.Info,
        Service = "api",
        Endpoint = "/api/orders",
        StatusCode = 200,
        ResponseTimeMs = responseMs,
        UserId = user,
    };
}
