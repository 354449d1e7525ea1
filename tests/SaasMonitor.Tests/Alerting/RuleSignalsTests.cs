using Alerting.Worker;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Tests.Conformance;

namespace SaasMonitor.Tests.Alerting;

/// <summary>What each kind of rule observes, on the real index and KPI store.</summary>
public sealed class RuleSignalsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = SearchTestEvents.Day1.AddHours(12);

    private readonly string _index = Path.Combine(Path.GetTempPath(), "saasmon-signals-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteTestDatabase _database = new();
    private LuceneSearchStore _search = null!;
    private RuleSignals _signals = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _search = new LuceneSearchStore(new LuceneSearchOptions { Directory = _index });
        var kpis = _database.Open(o => new SqliteKpiStore(o));
        var n = 0;
        LogEvent At(TimeSpan before, string service, string level, string endpoint = "/api/health", string server = "web-01", double? ms = 12) =>
            SearchTestEvents.Event($"e{n++}", Now - before) with { Service = service, Level = level, Endpoint = endpoint, Server = server, ResponseTimeMs = ms };
        List<LogEvent> events =
        [
            .. Enumerable.Range(0, 6).Select(i => At(TimeSpan.FromSeconds(30 + i), "billing", LogLevels.Error, "/api/pay", ms: 2500)),
            .. Enumerable.Range(0, 2).Select(i => At(TimeSpan.FromSeconds(20 + i), "orders", LogLevels.Error, "/api/orders", ms: 100)),
            At(TimeSpan.FromMinutes(5), "heartbeat", LogLevels.Info, server: "web-01"),
            At(TimeSpan.FromSeconds(10), "heartbeat", LogLevels.Info, server: "web-02"),
            .. Enumerable.Range(0, 12).Select(k => At(TimeSpan.FromSeconds(90 + (60 * k)), "api", LogLevels.Info)),
            .. Enumerable.Range(0, 10).Select(i => At(TimeSpan.FromSeconds(40 - i), "api", LogLevels.Info)),
            At(TimeSpan.FromSeconds(15), "silent", LogLevels.Info, ms: null),
        ];
        await _search.UpsertAsync(events, Ct);
        await _search.FlushAsync(Ct);
        var batch = new KpiBatch();
        events.ForEach(batch.Add);
        await kpis.ApplyAsync(batch, "test", [], Ct);
        _signals = new RuleSignals(_search, kpis);
    }

    public ValueTask DisposeAsync()
    {
        _search.Dispose();
        _database.Dispose();
        Directory.Delete(_index, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_count_rule_with_group_by_counts_each_key_and_sees_a_known_key_gone_quiet_as_zero()
    {
        var observed = await ObserveAsync(ARule(AlertRuleKind.Count, "level:ERROR") with { GroupBy = "service", Threshold = 5 }, "gone");

        observed.Should().BeEquivalentTo(new Dictionary<string, Observation>
        {
            ["billing"] = Observation.Of(true, 6),
            ["orders"] = Observation.Of(false, 2),
            ["gone"] = Observation.Of(false, 0),
        });
    }

    [Fact]
    public async Task An_absence_rule_breaches_for_a_server_seen_before_but_silent_in_the_window()
    {
        var observed = await ObserveAsync(ARule(AlertRuleKind.Absence, "service:heartbeat") with { GroupBy = "server" });

        observed["web-01"].Should().Be(Observation.Of(true, 0));
        observed["web-02"].Should().Be(Observation.Of(false, 1));
    }

    [Fact]
    public async Task An_absence_rule_without_group_by_breaches_when_nothing_matched()
    {
        (await ObserveAsync(ARule(AlertRuleKind.Absence, "service:nobody")))[""].Should().Be(Observation.Of(true, 0));
    }

    [Fact]
    public async Task An_anomaly_rule_compares_the_window_with_the_mean_of_the_windows_before_and_needs_the_minimum_volume()
    {
        var rule = ARule(AlertRuleKind.Anomaly, "service:api") with { Threshold = 3, MinVolume = 5 };

        (await ObserveAsync(rule))[""].Should().Be(Observation.Of(true, 10), "10 events against a mean of 1 a minute");
        (await ObserveAsync(rule with { MinVolume = 11 }))[""].Kind.Should().Be(ObservationKind.Ok);
    }

    [Fact]
    public async Task Kpi_rules_read_percentiles_per_endpoint_and_error_rate_per_service_from_the_kpi_windows()
    {
        var p95 = await ObserveAsync(ARule(AlertRuleKind.Kpi, "") with { Measure = KpiMeasure.P95, GroupBy = "endpoint", Window = TimeSpan.FromMinutes(5), Threshold = 2000 });
        p95["/api/pay"].Kind.Should().Be(ObservationKind.Breaching);
        p95["/api/pay"].Value.Should().BeApproximately(2500, 25);
        p95["/api/orders"].Kind.Should().Be(ObservationKind.Ok);

        var errors = await ObserveAsync(ARule(AlertRuleKind.Kpi, "") with { Measure = KpiMeasure.ErrorRate, GroupBy = "service", Window = TimeSpan.FromMinutes(5), Threshold = 0.5 });
        errors["billing"].Should().Be(Observation.Of(true, 1));
        errors["api"].Should().Be(Observation.Of(false, 0));
    }

    [Fact]
    public async Task A_kpi_with_nothing_to_measure_is_no_data()
    {
        var observed = await ObserveAsync(ARule(AlertRuleKind.Kpi, "") with { Measure = KpiMeasure.P99, GroupBy = "service", Threshold = 1 }, "vanished");

        observed["silent"].Kind.Should().Be(ObservationKind.NoData, "its events carry no response time");
        observed["vanished"].Kind.Should().Be(ObservationKind.NoData);
    }

    [Fact]
    public async Task A_query_the_parser_refuses_is_an_invalid_query() =>
        await FluentActions.Awaiting(() => ObserveAsync(ARule(AlertRuleKind.Count, "level:(ERROR"))).Should().ThrowAsync<InvalidQueryException>();

    private static AlertRule ARule(AlertRuleKind kind, string query) => new() { Id = "r", Name = "r", Kind = kind, Query = query, Window = TimeSpan.FromMinutes(1) };

    private async Task<IReadOnlyDictionary<string, Observation>> ObserveAsync(AlertRule rule, params string[] known) =>
        await _signals.ObserveAsync(rule, known, Now, Ct);
}
