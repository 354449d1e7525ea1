using Alerting.Worker;
using SaasMonitor.Core.Alerting;

namespace SaasMonitor.Tests.Alerting;

public sealed class AlertEvaluatorTests : IDisposable
{
    private static readonly Observation Breach = Observation.Of(true, 9);
    private static readonly Observation Calm = Observation.Of(false, 1);

    private readonly AlertingTestKit _kit = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Instances_of_one_rule_that_fire_together_make_one_message_per_channel()
    {
        await _kit.Store.SaveRuleAsync(ARule() with { Channels = ["c1", "c2"] }, Ct);
        _kit.Signals.Next["billing"] = Breach;
        _kit.Signals.Next["orders"] = Breach;

        (await _kit.Evaluator().EvaluateAllAsync(Ct)).Should().Be(2);

        var due = await _kit.Store.ListDueAsync(_kit.Time.GetUtcNow(), 10, Ct);
        due.Select(n => n.ChannelId).Should().BeEquivalentTo(["c1", "c2"]);
        var message = AlertMessage.FromJson(due[0].Payload);
        message.Kind.Should().Be(NotificationKind.Firing);
        message.Instances.Select(i => i.GroupKey).Should().BeEquivalentTo(["billing", "orders"]);
        message.Condition.Should().Be("count of \"level:ERROR\" per service over 1m > 5");
        message.Link.Should().Be("http://localhost:5000/search?q=level%3AERROR&from=now-15m");
        (await _kit.Store.ListHistoryAsync("r1", null, 10, Ct)).Should().HaveCount(2).And.OnlyContain(t => t.To == AlertState.Firing && t.Notification == NotificationKind.Firing);
    }

    [Fact]
    public async Task A_silenced_instance_has_its_firing_recorded_but_not_sent()
    {
        await _kit.Store.SaveRuleAsync(ARule(), Ct);
        await _kit.Store.SaveSilenceAsync(ASilence(new Dictionary<string, string> { ["service"] = "billing" }), Ct);
        _kit.Signals.Next["billing"] = Breach;
        _kit.Signals.Next["orders"] = Breach;

        await _kit.Evaluator().EvaluateAllAsync(Ct);

        var all = await _kit.Store.ListNotificationsAsync("r1", null, 10, Ct);
        all.Should().HaveCount(2);
        all.Single(n => n.Status == DeliveryStatus.Silenced).Payload.Should().Contain("billing").And.NotContain("orders");
        all.Single(n => n.Status == DeliveryStatus.Pending).Payload.Should().Contain("orders");
        (await _kit.Store.ListHistoryAsync("r1", null, 10, Ct)).Single(t => t.GroupKey == "billing").Silenced.Should().BeTrue();
        (await _kit.Store.ListInstancesAsync("r1", Ct)).Should().OnlyContain(i => i.State == AlertState.Firing, "silences mute sending, not state");
    }

    [Fact]
    public async Task A_maintenance_window_mutes_only_inside_its_weekly_slot()
    {
        await _kit.Store.SaveRuleAsync(ARule(), Ct);
        // 2026-12-01 is a Tuesday; the slot is Tuesdays 12:00-12:30 UTC.
        await _kit.Store.SaveSilenceAsync(ASilence(new Dictionary<string, string> { ["rule"] = "billing errors" }) with
        {
            EndsAt = _kit.Time.GetUtcNow().AddDays(30),
            Recurrence = new Recurrence([DayOfWeek.Tuesday], new TimeOnly(12, 0), TimeSpan.FromMinutes(30)),
        }, Ct);
        _kit.Signals.Next["billing"] = Breach;
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        _kit.Time.Advance(TimeSpan.FromMinutes(40));
        _kit.Signals.Next["billing"] = Calm;
        await _kit.Evaluator().EvaluateAllAsync(Ct);

        (await _kit.Store.ListNotificationsAsync("r1", null, 10, Ct)).Select(n => (n.Kind, n.Status))
            .Should().Equal((NotificationKind.Resolved, DeliveryStatus.Pending), (NotificationKind.Firing, DeliveryStatus.Silenced));
    }

    [Theory]
    [InlineData(AlertState.Pending)]
    [InlineData(AlertState.Firing)]
    [InlineData(AlertState.Recovering)]
    [InlineData(AlertState.NoData)]
    [InlineData(AlertState.Error)]
    public async Task A_worker_restarted_in_any_state_neither_notifies_again_nor_forgets_to_resolve(AlertState state)
    {
        await _kit.Store.SaveRuleAsync(ARule() with { GroupBy = null, For = state == AlertState.Pending ? TimeSpan.FromMinutes(5) : TimeSpan.Zero, KeepFiring = TimeSpan.FromMinutes(5) }, Ct);
        await ReachAsync(state);
        var before = (await _kit.Store.ListNotificationsAsync("r1", null, 100, Ct)).Count;

        _kit.Reopen();
        _kit.Time.Advance(TimeSpan.FromSeconds(5));
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        (await _kit.Store.ListInstancesAsync("r1", Ct)).Single().State.Should().Be(state);
        (await _kit.Store.ListNotificationsAsync("r1", null, 100, Ct)).Should().HaveCount(before, "nothing is sent twice after a restart");

        _kit.Signals.Failure = null;
        _kit.Signals.Next[""] = Calm;
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        _kit.Time.Advance(TimeSpan.FromMinutes(6));
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        (await _kit.Store.ListInstancesAsync("r1", Ct)).Single().State.Should().Be(AlertState.Normal);
        var resolved = (await _kit.Store.ListNotificationsAsync("r1", null, 100, Ct)).Count(n => n.Kind == NotificationKind.Resolved);
        resolved.Should().Be(state == AlertState.Pending ? 0 : 1, "what fired is resolved once, whatever restarted in between");
    }

    [Fact]
    public async Task A_failing_observation_puts_the_rules_instances_in_the_error_state_with_the_reason()
    {
        await _kit.Store.SaveRuleAsync(ARule(), Ct);
        _kit.Signals.Next["billing"] = Breach;
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        _kit.Signals.Failure = new IOException("index unavailable");

        await _kit.Evaluator().EvaluateAllAsync(Ct);

        var instance = (await _kit.Store.ListInstancesAsync("r1", Ct)).Single();
        instance.State.Should().Be(AlertState.Error);
        instance.Error.Should().Be("index unavailable");
    }

    [Fact]
    public async Task A_group_that_went_quiet_is_forgotten_once_normal()
    {
        await _kit.Store.SaveRuleAsync(ARule(), Ct);
        _kit.Signals.Next["billing"] = Observation.Of(false, 2);
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        _kit.Signals.Next["billing"] = Observation.Of(false, 0);

        await _kit.Evaluator().EvaluateAllAsync(Ct);

        (await _kit.Store.ListInstancesAsync("r1", Ct)).Should().BeEmpty();
    }

    public void Dispose() => _kit.Dispose();

    private static AlertRule ARule() => new()
    {
        Id = "r1", Name = "billing errors", Query = "level:ERROR", Window = TimeSpan.FromMinutes(1), Threshold = 5, GroupBy = "service", Channels = ["c1"], RepeatInterval = TimeSpan.Zero,
    };

    private Silence ASilence(Dictionary<string, string> matchers) => new()
    {
        Id = "s1", Matchers = matchers, StartsAt = _kit.Time.GetUtcNow(), EndsAt = _kit.Time.GetUtcNow().AddHours(1), Comment = "deploy",
    };

    private async Task ReachAsync(AlertState state)
    {
        _kit.Signals.Next[""] = state switch
        {
            AlertState.NoData => new Observation(ObservationKind.NoData),
            _ => Breach,
        };
        _kit.Signals.Failure = state == AlertState.Error ? new IOException("down") : null;
        await _kit.Evaluator().EvaluateAllAsync(Ct);
        if (state == AlertState.Recovering)
        {
            _kit.Signals.Next[""] = Calm;
            _kit.Time.Advance(TimeSpan.FromSeconds(5));
            await _kit.Evaluator().EvaluateAllAsync(Ct);
        }

        (await _kit.Store.ListInstancesAsync("r1", Ct)).Single().State.Should().Be(state);
    }
}
