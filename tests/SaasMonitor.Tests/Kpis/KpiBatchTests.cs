using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;

namespace SaasMonitor.Tests.Kpis;

public sealed class KpiBatchTests
{
    private static readonly DateTimeOffset At = new(2024, 3, 5, 1, 47, 31, 500, TimeSpan.FromHours(2));

    [Fact]
    public void An_event_lands_in_its_minute_hour_and_day_windows_in_utc()
    {
        var batch = new KpiBatch();
        batch.Add(Event(At, LogLevels.Error, responseMs: 250, user: "u1"));

        batch.EventCount.Should().Be(1);
        batch.Windows.Select(w => (w.Granularity, w.Start)).Should().BeEquivalentTo(
        [
            (KpiGranularity.Minute, new DateTimeOffset(2024, 3, 4, 23, 47, 0, TimeSpan.Zero)),
            (KpiGranularity.Hour, new DateTimeOffset(2024, 3, 4, 23, 0, 0, TimeSpan.Zero)),
            (KpiGranularity.Day, new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero)),
        ]);
        batch.Windows.Should().AllSatisfy(w =>
        {
            w.Start.Offset.Should().Be(TimeSpan.Zero);
            w.Key.Should().Be(new KpiKey("api", "/api/users", LogLevels.Error, 500));
            w.Count.Should().Be(1);
            w.Errors.Should().Be(1);
            w.ResponseCount.Should().Be(1);
            w.ResponseSumMs.Should().Be(250);
            w.ResponseMaxMs.Should().Be(250);
            w.Latency.Count.Should().Be(1);
        });
        batch.Users.Select(u => (u.Granularity, u.Service, u.Users.Estimate())).Should().BeEquivalentTo(
        [
            (KpiGranularity.Minute, "api", 1L),
            (KpiGranularity.Hour, "api", 1L),
            (KpiGranularity.Day, "api", 1L),
        ]);
    }

    [Fact]
    public void Events_of_different_minutes_share_their_hour_and_day_windows()
    {
        var batch = new KpiBatch();
        batch.Add(Event(At, LogLevels.Info, responseMs: 100, user: "u1"));
        batch.Add(Event(At.AddMinutes(5), LogLevels.Info, responseMs: 300, user: "u2"));
        batch.Add(Event(At.AddMinutes(5), LogLevels.Info, responseMs: null, user: "u1"));

        var minutes = batch.Windows.Where(w => w.Granularity == KpiGranularity.Minute).ToList();
        minutes.Select(w => w.Count).Should().BeEquivalentTo([1L, 2L]);
        var hour = batch.Windows.Single(w => w.Granularity == KpiGranularity.Hour);
        hour.Count.Should().Be(3);
        hour.Errors.Should().Be(0);
        hour.ResponseCount.Should().Be(2);
        hour.ResponseSumMs.Should().Be(400);
        hour.ResponseMaxMs.Should().Be(300);
        hour.Latency.Count.Should().Be(2);
        batch.Windows.Single(w => w.Granularity == KpiGranularity.Day).Count.Should().Be(3);
        batch.Users.Single(u => u.Granularity == KpiGranularity.Hour).Users.Estimate().Should().Be(2);
        batch.Users.Where(u => u.Granularity == KpiGranularity.Minute).Should().HaveCount(2);
    }

    [Fact]
    public void Events_without_service_endpoint_status_or_user_get_empty_key_parts_and_no_user_window()
    {
        var batch = new KpiBatch();
        batch.Add(new LogEvent { Id = "1", Timestamp = At, Level = LogLevels.Warning });

        batch.Windows.Should().HaveCount(3).And.AllSatisfy(w => w.Key.Should().Be(new KpiKey("", "", LogLevels.Warning, 0)));
        batch.Users.Should().BeEmpty();
    }

    [Fact]
    public void Different_keys_in_the_same_minute_get_separate_windows()
    {
        var batch = new KpiBatch();
        batch.Add(Event(At, LogLevels.Info, 10, null));
        batch.Add(Event(At, LogLevels.Error, 10, null));
        batch.Add(Event(At, LogLevels.Error, 10, null) with { Service = "web" });

        batch.Windows.Should().HaveCount(9);
        batch.Windows.Where(w => w.Granularity == KpiGranularity.Day).Sum(w => w.Count).Should().Be(3);
    }

    private static LogEvent Event(DateTimeOffset at, string level, double? responseMs, string? user) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Timestamp = at,
        Level = level,
        Service = "api",
        Endpoint = "/api/users",
        StatusCode = 500,
        ResponseTimeMs = responseMs,
        UserId = user,
    };
}
