using MongoDB.Bson;
using SaasMonitor.Core.Alerting;
using SaasMonitor.MongoDB.Alerting;

namespace SaasMonitor.Tests.MongoDB;

/// <summary>The alert store's filters, updates, indexes and documents as the driver renders them.</summary>
public sealed class MongoAlertCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_instance_is_upserted_by_rule_and_group_which_a_unique_index_keeps_one_of()
    {
        var instance = AnInstance("r1", "/api/pay", AlertState.Pending) with { PendingSince = Now, Value = 2_400.5, EvaluatedAt = Now.AddTicks(3) };

        var model = AlertCommands.StoreInstance(instance);

        model.IsUpsert.Should().BeTrue();
        MongoRender.Filter(model.Filter).ShouldBe(new BsonDocument { ["ruleId"] = "r1", ["groupKey"] = "/api/pay" });
        var update = MongoRender.Update(model.Update);
        update.Names.Should().Equal("$set");
        var stored = MongoRender.Upsert(null, MongoRender.Filter(model.Filter), update);
        stored.Names.Should().BeEquivalentTo("ruleId", "groupKey", "doc");
        stored["doc"]["state"].Should().Be(new BsonString("Pending"), "enums are stored by name, as the embedded store writes them");
        AlertRecord.FromBson<AlertInstance>(MongoRender.Read<InstanceDocument>(stored).Doc).Should().Be(instance);
        MongoRender.Keys(AlertCommands.InstanceKey.Keys).ShouldBe(new BsonDocument { ["ruleId"] = 1, ["groupKey"] = 1 });
        AlertCommands.InstanceKey.Options.Unique.Should().BeTrue();
        MongoRender.Filter(AlertCommands.RemovedInstances("r1", ["a", "b"])).ShouldBe(
            new BsonDocument { ["ruleId"] = "r1", ["groupKey"] = new BsonDocument("$in", new BsonArray { "a", "b" }) });
    }

    [Fact]
    public void Rules_channels_and_silences_round_trip_through_their_documents()
    {
        var rule = ARule("r1") with { Channels = ["c1", "c2"], UpdatedAt = Now.AddTicks(1) };
        var channel = new AlertChannel { Id = "c1", Name = "ops", Type = ChannelType.Email, SmtpHost = "smtp", SmtpPort = 587, To = ["a@x.org"], UpdatedAt = Now };
        var silence = new Silence
        {
            Id = "s1",
            RuleId = "r1",
            Matchers = new Dictionary<string, string> { ["service"] = "billing" },
            StartsAt = Now,
            EndsAt = Now.AddHours(2),
            Recurrence = new Recurrence([DayOfWeek.Saturday], new TimeOnly(2, 30), TimeSpan.FromHours(1)),
            Comment = "weekly maintenance",
        };

        RoundTrip(rule).Should().BeEquivalentTo(rule);
        RoundTrip(channel).Should().BeEquivalentTo(channel);
        RoundTrip(silence).Should().BeEquivalentTo(silence);
    }

    [Fact]
    public void The_outbox_lists_pending_notifications_by_due_time_and_records_each_attempt()
    {
        MongoRender.Filter(AlertCommands.Due(Now)).ShouldBe(new BsonDocument { ["status"] = 0, ["nextAttemptAt"] = new BsonDocument("$lte", Now.UtcTicks) });
        MongoRender.Sort(AlertCommands.DueOrder).ShouldBe(new BsonDocument { ["nextAttemptAt"] = 1, ["_id"] = 1 });
        MongoRender.Keys(AlertCommands.OutboxDue.Keys).ShouldBe(new BsonDocument { ["status"] = 1, ["nextAttemptAt"] = 1, ["_id"] = 1 });
        MongoRender.Filter(AlertCommands.NotificationsOf("r1", "c1")).ShouldBe(new BsonDocument { ["ruleId"] = "r1", ["channelId"] = "c1" });
        MongoRender.Filter(AlertCommands.HistoryOf(null, 40)).ShouldBe(new BsonDocument("_id", new BsonDocument("$lt", 40L)));

        var queued = NotificationDocument.From(ANotification("r1", "c1", Now), 17);
        var document = MongoRender.Document(queued);
        document.Names.Should().Equal("_id", "ruleId", "channelId", "status", "nextAttemptAt", "doc");
        var sent = queued.ToNotification() with { Status = DeliveryStatus.Sent, Attempts = 1, SentAt = Now.AddSeconds(1) };
        var update = MongoRender.Update(AlertCommands.Delivery(sent));
        update["$set"]["status"].Should().Be(new BsonInt32(1));
        update["$set"]["nextAttemptAt"].Should().Be(new BsonInt64(sent.NextAttemptAt.UtcTicks));
        MongoRender.Read<NotificationDocument>(MongoRender.Upsert(document, new BsonDocument("_id", 17L), update)).ToNotification().Should().Be(sent);
    }

    private static AlertRule ARule(string id) => new()
    {
        Id = id,
        Name = "billing errors",
        Kind = AlertRuleKind.Kpi,
        Query = "service:billing AND level:ERROR",
        Measure = KpiMeasure.P95,
        Window = TimeSpan.FromMinutes(5),
        Operator = AlertOperator.AtLeast,
        Threshold = 2000,
        For = TimeSpan.FromMinutes(2),
        GroupBy = "endpoint",
        NoData = MissingDataHandling.Alerting,
    };

    private static AlertInstance AnInstance(string ruleId, string key, AlertState state) => new() { RuleId = ruleId, GroupKey = key, State = state, StateSince = Now };

    private static AlertNotification ANotification(string ruleId, string channelId, DateTimeOffset due) =>
        new() { RuleId = ruleId, ChannelId = channelId, Kind = NotificationKind.Firing, Payload = "{\"rule\":\"r1\"}", CreatedAt = Now, NextAttemptAt = due };

    private static T RoundTrip<T>(T record) => AlertRecord.FromBson<T>(MongoRender.Read<NamedDocument>(MongoRender.Document(new NamedDocument { Id = "x", Doc = AlertRecord.ToBson(record) })).Doc);
}
