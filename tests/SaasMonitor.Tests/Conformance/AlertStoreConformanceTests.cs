using SaasMonitor.Core.Alerting;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What every <see cref="IAlertStore"/> must do. A fixture returns an empty store from <see cref="CreateStore"/>.</summary>
public abstract class AlertStoreConformanceTests
{
    protected static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract IAlertStore CreateStore();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static AlertRule ARule(string id, string name = "billing errors") => new()
    {
        Id = id,
        Name = name,
        Kind = AlertRuleKind.Kpi,
        Query = "service:billing AND level:ERROR",
        Measure = KpiMeasure.P95,
        Window = TimeSpan.FromMinutes(5),
        Operator = AlertOperator.AtLeast,
        Threshold = 2000,
        For = TimeSpan.FromMinutes(2),
        KeepFiring = TimeSpan.FromMinutes(1),
        GroupBy = "endpoint",
        MinVolume = 10,
        Channels = ["c1", "c2"],
        RepeatInterval = TimeSpan.FromHours(2),
        NoData = MissingDataHandling.KeepLast,
        OnError = MissingDataHandling.Alerting,
        Enabled = false,
        UpdatedAt = Now,
        UpdatedBy = "eddie",
    };

    protected static AlertInstance AnInstance(string ruleId, string key, AlertState state) =>
        new() { RuleId = ruleId, GroupKey = key, State = state, StateSince = Now, PendingSince = Now.AddMinutes(-1), Value = 7.5, Error = "e", EvaluatedAt = Now, NotifiedAt = Now };

    protected static AlertNotification ANotification(string ruleId, string channelId, DateTimeOffset due, DeliveryStatus status = DeliveryStatus.Pending) =>
        new() { RuleId = ruleId, ChannelId = channelId, Kind = NotificationKind.Firing, Payload = "{\"rule\":\"x\"}", CreatedAt = Now, NextAttemptAt = due, Status = status };

    [Fact]
    public async Task Rules_channels_and_silences_keep_every_field_are_replaced_by_id_and_deleted()
    {
        var store = CreateStore();
        await store.SaveRuleAsync(ARule("r1"), Ct);
        await store.SaveRuleAsync(ARule("r2", "other"), Ct);
        var channel = new AlertChannel
        {
            Id = "c1", Name = "mail", Type = ChannelType.Email, ProtectedSecret = "cipher", SmtpHost = "smtp.example.com", SmtpPort = 465,
            SmtpSecurity = SmtpSecurity.Tls, SmtpUser = "u", From = "a@example.com", To = ["b@example.com"], UpdatedAt = Now, UpdatedBy = "admin",
        };
        await store.SaveChannelAsync(channel, Ct);
        var silence = new Silence
        {
            Id = "s1", RuleId = "r1", Matchers = new Dictionary<string, string> { ["service"] = "billing" }, StartsAt = Now, EndsAt = Now.AddHours(2),
            Recurrence = new Recurrence([DayOfWeek.Saturday, DayOfWeek.Sunday], new TimeOnly(2, 0), TimeSpan.FromHours(3)), Comment = "deploy", CreatedBy = "eddie", CreatedAt = Now,
        };
        await store.SaveSilenceAsync(silence, Ct);

        (await store.GetRuleAsync("r1", Ct)).Should().BeEquivalentTo(ARule("r1"));
        (await store.ListRulesAsync(Ct)).Select(r => r.Id).Should().Equal("r1", "r2");
        (await store.GetChannelAsync("c1", Ct)).Should().BeEquivalentTo(channel);
        (await store.ListSilencesAsync(Ct)).Should().ContainSingle().Which.Should().BeEquivalentTo(silence);

        await store.SaveRuleAsync(ARule("r1") with { Name = "renamed" }, Ct);
        (await store.GetRuleAsync("r1", Ct))!.Name.Should().Be("renamed");
        (await store.DeleteRuleAsync("r2", Ct)).Should().BeTrue();
        (await store.DeleteRuleAsync("r2", Ct)).Should().BeFalse();
        (await store.DeleteChannelAsync("c1", Ct)).Should().BeTrue();
        (await store.DeleteSilenceAsync("s1", Ct)).Should().BeTrue();
        (await store.GetChannelAsync("c1", Ct)).Should().BeNull();
        (await store.ListSilencesAsync(Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_evaluation_stores_instances_removals_history_and_notifications_together()
    {
        var store = CreateStore();
        await store.SaveRuleAsync(ARule("r1"), Ct);
        await store.ApplyAsync([new AlertEvaluation("r1", [AnInstance("r1", "a", AlertState.Pending), AnInstance("r1", "b", AlertState.Normal)], [], [], [])], Ct);

        var transition = new AlertTransition { RuleId = "r1", GroupKey = "a", From = AlertState.Pending, To = AlertState.Firing, At = Now, Value = 9, Notification = NotificationKind.Firing };
        await store.ApplyAsync(
            [new AlertEvaluation("r1", [AnInstance("r1", "a", AlertState.Firing)], ["b"], [transition], [ANotification("r1", "c1", Now), ANotification("r1", "c2", Now)])],
            Ct);

        (await store.ListInstancesAsync("r1", Ct)).Should().ContainSingle().Which.Should().BeEquivalentTo(AnInstance("r1", "a", AlertState.Firing));
        (await store.ListHistoryAsync("r1", null, 10, Ct)).Should().ContainSingle().Which.Should().BeEquivalentTo(transition, o => o.Excluding(t => t.Id));
        (await store.ListDueAsync(Now, 10, Ct)).Select(n => n.ChannelId).Should().Equal("c1", "c2");
    }

    [Fact]
    public async Task History_is_newest_first_and_pages_by_id()
    {
        var store = CreateStore();
        var transitions = Enumerable.Range(0, 5).Select(i => new AlertTransition { RuleId = i % 2 == 0 ? "r1" : "r2", At = Now.AddMinutes(i), To = AlertState.Firing }).ToList();
        await store.ApplyAsync([new AlertEvaluation("r1", [], [], transitions, [])], Ct);

        var first = await store.ListHistoryAsync(null, null, 2, Ct);
        first.Select(t => t.At).Should().Equal(Now.AddMinutes(4), Now.AddMinutes(3));
        (await store.ListHistoryAsync(null, first[^1].Id, 10, Ct)).Select(t => t.At).Should().Equal(Now.AddMinutes(2), Now.AddMinutes(1), Now);
        (await store.ListHistoryAsync("r2", null, 10, Ct)).Should().HaveCount(2);
    }

    [Fact]
    public async Task The_outbox_answers_pending_notifications_when_due_and_records_each_attempt()
    {
        var store = CreateStore();
        var later = await store.EnqueueAsync(ANotification("r1", "c1", Now.AddMinutes(1)), Ct);
        var now = await store.EnqueueAsync(ANotification("r1", "c2", Now), Ct);
        await store.EnqueueAsync(ANotification("r2", "c1", Now, DeliveryStatus.Silenced), Ct);

        (await store.ListDueAsync(Now, 10, Ct)).Should().ContainSingle().Which.Id.Should().Be(now.Id);
        await store.UpdateDeliveryAsync(now with { Status = DeliveryStatus.Sent, Attempts = 1, SentAt = Now }, Ct);
        await store.UpdateDeliveryAsync(later with { Attempts = 1, LastError = "503", NextAttemptAt = Now.AddMinutes(5) }, Ct);

        (await store.ListDueAsync(Now.AddMinutes(2), 10, Ct)).Should().BeEmpty();
        (await store.ListDueAsync(Now.AddMinutes(5), 10, Ct)).Should().ContainSingle().Which.LastError.Should().Be("503");
        (await store.ListNotificationsAsync("r1", null, 10, Ct)).Select(n => n.Status).Should().Equal(DeliveryStatus.Sent, DeliveryStatus.Pending);
        (await store.ListNotificationsAsync(null, "c1", 10, Ct)).Select(n => n.RuleId).Should().Equal("r2", "r1");
    }

    [Fact]
    public async Task Deleting_a_rule_removes_its_instances_and_keeps_its_history()
    {
        var store = CreateStore();
        await store.SaveRuleAsync(ARule("r1"), Ct);
        var transition = new AlertTransition { RuleId = "r1", To = AlertState.Firing, At = Now };
        await store.ApplyAsync([new AlertEvaluation("r1", [AnInstance("r1", "", AlertState.Firing)], [], [transition], [])], Ct);

        await store.DeleteRuleAsync("r1", Ct);

        (await store.ListInstancesAsync(null, Ct)).Should().BeEmpty();
        (await store.ListHistoryAsync("r1", null, 10, Ct)).Should().ContainSingle();
    }
}
