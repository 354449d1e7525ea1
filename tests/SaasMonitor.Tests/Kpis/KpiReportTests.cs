using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Tests.Kpis;

public sealed class KpiReportTests
{
    private static readonly List<LogEvent> Events = KpiTestEvents.Generate(20_000, seed: 11);
    private static readonly KpiBatch Batch = BuildBatch(Events);

    [Theory]
    [InlineData(KpiGranularity.Minute)]
    [InlineData(KpiGranularity.Hour)]
    [InlineData(KpiGranularity.Day)]
    public void Totals_match_the_figures_computed_from_the_events(KpiGranularity granularity)
    {
        var totals = KpiReport.Totals(Windows(granularity), Batch.Users.Where(u => u.Granularity == granularity));

        var timed = Events.Where(e => e.ResponseTimeMs is not null).Select(e => e.ResponseTimeMs!.Value).Order().ToArray();
        var errors = Events.Count(e => e.Level is LogLevels.Error or LogLevels.Critical);
        totals.Events.Should().Be(Events.Count);
        totals.Errors.Should().Be(errors);
        totals.ErrorRatePercent.Should().BeApproximately(errors * 100.0 / Events.Count, 1e-9);
        totals.AvgResponseMs.Should().BeApproximately(timed.Average(), 1e-6);
        totals.MaxResponseMs.Should().Be(timed[^1]);
        foreach (var (q, actual) in new[] { (0.5, totals.P50Ms), (0.95, totals.P95Ms), (0.99, totals.P99Ms) })
        {
            var exact = KpiTestEvents.ExactQuantile(timed, q);
            actual.Should().BeApproximately(exact, exact * LatencySketch.RelativeAccuracy, $"p{q * 100}");
        }

        totals.DistinctUsers.Should().Be(Events.Where(e => e.UserId is not null).Select(e => e.UserId).Distinct().Count());
    }

    [Fact]
    public void Totals_of_no_windows_are_zero_with_no_response_figures()
    {
        var totals = KpiReport.Totals([], []);

        totals.Should().Be(new KpiTotals(0, 0, 0, null, null, null, null, null, 0));
    }

    [Fact]
    public void Error_rate_by_service_matches_the_events_highest_first()
    {
        var expected = Events
            .GroupBy(e => e.Service!)
            .Select(g => new ServiceErrorRate(g.Key, g.Count(), g.Count(IsError), g.Count(IsError) * 100.0 / g.Count()))
            .OrderByDescending(s => s.ErrorRatePercent)
            .ToList();

        var actual = KpiReport.ErrorRateByService(Windows(KpiGranularity.Hour));

        actual.Should().HaveCount(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            actual[i].Service.Should().Be(expected[i].Service);
            actual[i].Events.Should().Be(expected[i].Events);
            actual[i].Errors.Should().Be(expected[i].Errors);
            actual[i].ErrorRatePercent.Should().BeApproximately(expected[i].ErrorRatePercent, 1e-9);
        }
    }

    [Fact]
    public void Slowest_endpoints_rank_by_average_response_time_with_p95_and_count()
    {
        var expected = Events
            .Where(e => e.ResponseTimeMs is not null)
            .GroupBy(e => (e.Service!, e.Endpoint!))
            .Select(g => (Key: g.Key, Avg: g.Average(e => e.ResponseTimeMs!.Value), Times: g.Select(e => e.ResponseTimeMs!.Value).Order().ToArray()))
            .OrderByDescending(x => x.Avg)
            .Take(4)
            .ToList();

        var actual = KpiReport.SlowestEndpoints(Windows(KpiGranularity.Day), top: 4);

        actual.Select(e => (e.Service, e.Endpoint)).Should().Equal(expected.Select(x => x.Key));
        for (var i = 0; i < expected.Count; i++)
        {
            actual[i].Count.Should().Be(expected[i].Times.Length);
            actual[i].AvgResponseMs.Should().BeApproximately(expected[i].Avg, 1e-6);
            actual[i].MaxResponseMs.Should().Be(expected[i].Times[^1]);
            var p95 = KpiTestEvents.ExactQuantile(expected[i].Times, 0.95);
            actual[i].P95Ms.Should().BeApproximately(p95, p95 * LatencySketch.RelativeAccuracy);
        }
    }

    [Fact]
    public void Top_endpoints_rank_by_event_count()
    {
        var expected = Events
            .Where(e => e.Endpoint is not null)
            .GroupBy(e => (e.Service!, e.Endpoint!))
            .Select(g => new EndpointCount(g.Key.Item1, g.Key.Item2, g.Count(), g.Count(IsError)))
            .OrderByDescending(e => e.Count)
            .Take(5)
            .ToList();

        KpiReport.TopEndpoints(Windows(KpiGranularity.Minute), top: 5).Should().Equal(expected);
    }

    [Fact]
    public void Errors_per_hour_is_a_gapless_series_oldest_first()
    {
        var expected = Enumerable.Range(0, 72)
            .Select(h => KpiTestEvents.Origin.AddHours(h))
            .Select(start => new TimeBucket(start, Events.Count(e => IsError(e) && e.Timestamp >= start && e.Timestamp < start.AddHours(1))))
            .ToList();

        KpiReport.ErrorsPerHour(Windows(KpiGranularity.Hour)).Should().Equal(expected);
    }

    [Fact]
    public void Series_fill_hours_without_events_with_zero()
    {
        var batch = BuildBatch(
        [
            Events[0] with { Timestamp = KpiTestEvents.Origin.AddMinutes(10), Level = LogLevels.Error },
            Events[1] with { Timestamp = KpiTestEvents.Origin.AddHours(2), Level = LogLevels.Info },
        ]);
        var hours = batch.Windows.Where(w => w.Granularity == KpiGranularity.Hour).ToList();

        KpiReport.ErrorsPerHour(hours).Select(b => b.Count).Should().Equal(1, 0, 0);
        KpiReport.CountsPerBucket(hours).Select(b => b.Count).Should().Equal(1, 0, 1);
    }

    [Theory]
    [InlineData(KpiGranularity.Hour, 72)]
    [InlineData(KpiGranularity.Day, 3)]
    public void Counts_per_bucket_follow_the_window_granularity(KpiGranularity granularity, int buckets)
    {
        var length = granularity.Length();
        var expected = Enumerable.Range(0, buckets)
            .Select(i => KpiTestEvents.Origin + (length * i))
            .Select(start => new TimeBucket(start, Events.Count(e => e.Timestamp >= start && e.Timestamp < start + length)))
            .ToList();

        KpiReport.CountsPerBucket(Windows(granularity)).Should().Equal(expected);
    }

    [Fact]
    public void Level_distribution_counts_each_level_most_frequent_first()
    {
        var expected = Events
            .GroupBy(e => e.Level)
            .Select(g => new TermCount(g.Key, g.Count()))
            .OrderByDescending(t => t.Count)
            .ToList();

        KpiReport.LevelDistribution(Windows(KpiGranularity.Hour)).Should().Equal(expected);
    }

    [Fact]
    public void Status_distribution_counts_each_status_by_code_leaving_out_events_without_one()
    {
        var expected = Events
            .Where(e => e.StatusCode is not null)
            .GroupBy(e => e.StatusCode!.Value)
            .Select(g => new StatusCount(g.Key, g.Count()))
            .OrderBy(s => s.StatusCode)
            .ToList();

        KpiReport.StatusDistribution(Windows(KpiGranularity.Day)).Should().Equal(expected);
    }

    [Fact]
    public void Error_heatmap_counts_errors_by_day_of_week_and_hour_of_day()
    {
        var heatmap = KpiReport.ErrorHeatmap(Windows(KpiGranularity.Hour));

        heatmap.Should().HaveCount(7 * 24);
        heatmap[0].Should().Be(new HeatmapCell(DayOfWeek.Sunday, 0, heatmap[0].Errors));
        foreach (var cell in heatmap)
        {
            var expected = Events.Count(e => IsError(e) && e.Timestamp.UtcDateTime.DayOfWeek == cell.Day && e.Timestamp.UtcDateTime.Hour == cell.Hour);
            cell.Errors.Should().Be(expected, $"{cell.Day} {cell.Hour}:00");
        }

        heatmap.Sum(c => c.Errors).Should().Be(Events.Count(IsError));
    }

    [Theory]
    [InlineData(1, KpiGranularity.Minute)]
    [InlineData(6, KpiGranularity.Minute)]
    [InlineData(7, KpiGranularity.Hour)]
    [InlineData(7 * 24, KpiGranularity.Hour)]
    [InlineData((7 * 24) + 1, KpiGranularity.Day)]
    public void Granularity_follows_the_length_of_the_range(int hours, KpiGranularity expected)
    {
        var to = KpiTestEvents.Origin;

        KpiReport.GranularityFor(to.AddHours(-hours), to).Should().Be(expected);
    }

    [Fact]
    public void An_unbounded_range_reads_days_and_an_open_end_runs_to_now()
    {
        KpiReport.GranularityFor(null, KpiTestEvents.Origin).Should().Be(KpiGranularity.Day);
        KpiReport.GranularityFor(DateTimeOffset.UtcNow.AddHours(-1), null).Should().Be(KpiGranularity.Minute);
    }

    private static bool IsError(LogEvent e) => LogLevels.IsError(e.Level);

    [Fact]
    public void Events_without_a_service_or_endpoint_are_reported_under_one_clear_name()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var windows = BuildBatch(
        [
            new LogEvent { Id = "1", Timestamp = at, Level = LogLevels.Error, Endpoint = "/health", ResponseTimeMs = 20 },
            new LogEvent { Id = "2", Timestamp = at, Level = LogLevels.Info, Service = "billing", Endpoint = "/pay", ResponseTimeMs = 30 },
        ]).Windows.Where(w => w.Granularity == KpiGranularity.Hour).ToList();

        KpiReport.ErrorRateByService(windows).Select(s => s.Service).Should().BeEquivalentTo([KpiReport.None, "billing"]);
        KpiReport.SlowestEndpoints(windows, 5).Select(e => (e.Service, e.Endpoint)).Should().Contain((KpiReport.None, "/health"));
        KpiReport.TopEndpoints(windows, 5).Should().NotContain(e => e.Service.Length == 0 || e.Endpoint.Length == 0);
    }

    private static List<KpiWindow> Windows(KpiGranularity granularity) =>
        Batch.Windows.Where(w => w.Granularity == granularity).ToList();

    private static KpiBatch BuildBatch(IEnumerable<LogEvent> events)
    {
        var batch = new KpiBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        return batch;
    }
}
