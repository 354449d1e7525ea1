using Microsoft.Extensions.Time.Testing;
using SaasMonitor.Core.Alerting;

namespace SaasMonitor.Tests.Alerting;

public sealed class AlertStateMachineTests
{
    private static readonly Observation Breach = Observation.Of(true, 9);
    private static readonly Observation Calm = Observation.Of(false, 1);
    private static readonly Observation Empty = new(ObservationKind.NoData);
    private static readonly Observation Broken = new(ObservationKind.Error, Error: "search store down");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_breach_with_for_waits_in_pending_and_fires_once_when_it_held_long_enough()
    {
        var rule = ARule() with { For = TimeSpan.FromMinutes(2) };
        var (pending, first) = Step(rule, New(), Breach);
        pending.State.Should().Be(AlertState.Pending);
        first.Should().BeNull();

        _time.Advance(TimeSpan.FromMinutes(1));
        Step(rule, pending, Breach).Next.State.Should().Be(AlertState.Pending);

        _time.Advance(TimeSpan.FromMinutes(1));
        var (firing, notify) = Step(rule, pending, Breach);
        firing.State.Should().Be(AlertState.Firing);
        notify.Should().Be(NotificationKind.Firing);

        _time.Advance(TimeSpan.FromSeconds(5));
        Step(rule, firing, Breach).Notify.Should().BeNull("a firing instance is notified once, not at every evaluation");
    }

    [Fact]
    public void A_pending_instance_that_stops_breaching_goes_back_to_normal_without_a_notification()
    {
        var rule = ARule() with { For = TimeSpan.FromMinutes(5) };
        var (pending, _) = Step(rule, New(), Breach);
        _time.Advance(TimeSpan.FromMinutes(1));

        var (normal, notify) = Step(rule, pending, Calm);

        normal.State.Should().Be(AlertState.Normal);
        notify.Should().BeNull();
    }

    [Fact]
    public void Without_for_a_breach_fires_at_once_and_its_end_resolves_at_once()
    {
        var rule = ARule();
        var (firing, fired) = Step(rule, New(), Breach);
        fired.Should().Be(NotificationKind.Firing);
        _time.Advance(TimeSpan.FromSeconds(5));

        var (normal, resolved) = Step(rule, firing, Calm);

        normal.State.Should().Be(AlertState.Normal);
        resolved.Should().Be(NotificationKind.Resolved);
    }

    [Fact]
    public void Keep_firing_holds_a_recovering_instance_and_a_new_breach_returns_it_to_firing_without_a_second_notice()
    {
        var rule = ARule() with { KeepFiring = TimeSpan.FromMinutes(3) };
        var (firing, _) = Step(rule, New(), Breach);
        _time.Advance(TimeSpan.FromMinutes(1));
        var (recovering, none) = Step(rule, firing, Calm);
        recovering.State.Should().Be(AlertState.Recovering);
        none.Should().BeNull();

        _time.Advance(TimeSpan.FromMinutes(1));
        var (again, renotified) = Step(rule, recovering, Breach);
        again.State.Should().Be(AlertState.Firing);
        renotified.Should().BeNull("it never stopped firing for its receivers");

        var (recoveringAgain, _) = Step(rule, again, Calm);
        _time.Advance(TimeSpan.FromMinutes(2));
        Step(rule, recoveringAgain, Calm).Next.State.Should().Be(AlertState.Recovering);
        _time.Advance(TimeSpan.FromMinutes(1));
        var (normal, resolved) = Step(rule, recoveringAgain, Calm);
        normal.State.Should().Be(AlertState.Normal);
        resolved.Should().Be(NotificationKind.Resolved);
    }

    [Fact]
    public void A_firing_instance_is_notified_again_after_the_repeat_interval()
    {
        var rule = ARule() with { RepeatInterval = TimeSpan.FromHours(1) };
        var (firing, _) = Step(rule, New(), Breach);
        _time.Advance(TimeSpan.FromMinutes(59));
        Step(rule, firing, Breach).Notify.Should().BeNull();

        _time.Advance(TimeSpan.FromMinutes(1));
        var (repeated, notify) = Step(rule, firing, Breach);
        notify.Should().Be(NotificationKind.Repeat);
        _time.Advance(TimeSpan.FromMinutes(30));
        Step(rule, repeated, Breach).Notify.Should().BeNull("the interval counts from the last notice");
    }

    [Fact]
    public void No_data_is_reported_once_by_default_and_resolved_when_data_returns()
    {
        var rule = ARule();
        var (noData, notify) = Step(rule, New(), Empty);
        noData.State.Should().Be(AlertState.NoData);
        notify.Should().Be(NotificationKind.NoData);
        Step(rule, noData, Empty).Notify.Should().BeNull();

        var (normal, resolved) = Step(rule, noData, Calm);
        normal.State.Should().Be(AlertState.Normal);
        resolved.Should().Be(NotificationKind.Resolved);
    }

    [Theory]
    [InlineData(MissingDataHandling.Alerting, AlertState.Firing)]
    [InlineData(MissingDataHandling.Normal, AlertState.Normal)]
    [InlineData(MissingDataHandling.KeepLast, AlertState.Pending)]
    [InlineData(MissingDataHandling.Report, AlertState.NoData)]
    public void No_data_is_treated_as_the_rule_chooses(MissingDataHandling handling, AlertState expected)
    {
        var rule = ARule() with { NoData = handling };
        var (pending, _) = Step(rule with { For = TimeSpan.FromMinutes(1) }, New(), Breach);

        Step(rule, pending, Empty).Next.State.Should().Be(expected);
    }

    [Fact]
    public void An_evaluation_error_goes_to_the_error_state_with_its_reason_or_as_the_rule_chooses()
    {
        var (error, notify) = Step(ARule(), New(), Broken);
        error.State.Should().Be(AlertState.Error);
        error.Error.Should().Be("search store down");
        notify.Should().Be(NotificationKind.Error);

        var (firing, _) = Step(ARule(), New(), Breach);
        Step(ARule() with { OnError = MissingDataHandling.KeepLast }, firing, Broken).Next.State.Should().Be(AlertState.Firing);
        Step(ARule() with { OnError = MissingDataHandling.Alerting }, New(), Broken).Next.State.Should().Be(AlertState.Firing);
    }

    [Theory]
    [InlineData(AlertState.Normal)]
    [InlineData(AlertState.Pending)]
    [InlineData(AlertState.Firing)]
    [InlineData(AlertState.Recovering)]
    [InlineData(AlertState.NoData)]
    [InlineData(AlertState.Error)]
    public void The_state_machine_only_needs_the_stored_instance_so_a_restart_neither_repeats_nor_forgets(AlertState state)
    {
        var rule = ARule() with { For = TimeSpan.FromMinutes(1), KeepFiring = TimeSpan.FromMinutes(1) };
        var stored = New() with { State = state, StateSince = _time.GetUtcNow(), PendingSince = state == AlertState.Pending ? _time.GetUtcNow() : null, NotifiedAt = _time.GetUtcNow() };
        _time.Advance(TimeSpan.FromSeconds(10));

        // Whatever was observed before the restart, the same observation now gives the same answer as before it.
        var unchanged = state switch
        {
            AlertState.Normal => Calm,
            AlertState.NoData => Empty,
            AlertState.Error => Broken,
            AlertState.Recovering => Calm,
            _ => Breach,
        };
        var (next, notify) = Step(rule, stored, unchanged);

        next.State.Should().Be(state);
        notify.Should().BeNull();
    }

    private static AlertRule ARule() => new() { Id = "r1", Name = "billing errors", Threshold = 5, RepeatInterval = TimeSpan.Zero };

    private AlertInstance New() => new() { RuleId = "r1", StateSince = _time.GetUtcNow() };

    private (AlertInstance Next, NotificationKind? Notify) Step(AlertRule rule, AlertInstance current, Observation observation) =>
        AlertStateMachine.Step(rule, current, observation, _time.GetUtcNow());
}
