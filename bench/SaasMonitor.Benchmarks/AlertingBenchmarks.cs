using System.Globalization;
using Alerting.Worker;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// One evaluation cycle of <see cref="Rules"/> rules over an index of <see cref="Events"/> events spread over the two
/// hours before "now": count and anomaly rules over 1, 5 and 15 minute windows, half of them grouped by service or
/// endpoint, each with its state machine, silences and the cycle's one SQLite transaction. The baseline is the
/// rules' search queries alone (the search store's share, Ratio = 1). Mean is per rule.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class AlertingBenchmarks
{
    public const int Rules = 1_000;
    public const int Events = 200_000;

    private static readonly DateTimeOffset Now = new(2024, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Services = ["api", "web", "database", "auth", "payments"];
    private static readonly string[] Levels = ["ERROR", "WARN", "INFO"];

    private string _folder = "";
    private LuceneSearchStore _search = null!;
    private SqliteAlertStore _store = null!;
    private SqliteKpiStore _kpis = null!;
    private RuleSignals _signals = null!;
    private AlertEvaluator _evaluator = null!;
    private AlertRule[] _rules = [];

    [GlobalSetup]
    public async Task BuildAsync()
    {
        _folder = BenchmarkEvents.NewTempFolder();
        _search = new LuceneSearchStore(new LuceneSearchOptions { Directory = Path.Combine(_folder, "index") });
        foreach (var batch in BenchmarkEvents.Generate(Events, Now - TimeSpan.FromHours(2), TimeSpan.FromHours(2)).Chunk(5_000))
        {
            await _search.UpsertAsync(batch, CancellationToken.None);
        }

        await _search.FlushAsync(CancellationToken.None);
        var sqlite = new SqliteOptions { Path = Path.Combine(_folder, "saasmon.db") };
        _store = new SqliteAlertStore(sqlite);
        _kpis = new SqliteKpiStore(sqlite);
        _rules = [.. Enumerable.Range(0, Rules).Select(RuleOf)];
        foreach (var rule in _rules)
        {
            await _store.SaveRuleAsync(rule, CancellationToken.None);
        }

        _signals = new RuleSignals(_search, _kpis);
        _evaluator = new AlertEvaluator(_store, _signals, _search, Options.Create(new AlertingOptions()), new FixedTime(Now), NullLogger<AlertEvaluator>.Instance);
    }

    [GlobalCleanup]
    public void Delete()
    {
        _search.Dispose();
        _store.Dispose();
        _kpis.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rules)]
    public async Task Search_queries_only()
    {
        foreach (var rule in _rules)
        {
            await _signals.ObserveAsync(rule, [], Now, CancellationToken.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Rules)]
    public Task Evaluation_cycle() => _evaluator.EvaluateAllAsync(CancellationToken.None);

    private static AlertRule RuleOf(int i) => new()
    {
        Id = "r" + i.ToString(CultureInfo.InvariantCulture),
        Name = "rule " + i.ToString(CultureInfo.InvariantCulture),
        Kind = i % 10 == 9 ? AlertRuleKind.Anomaly : AlertRuleKind.Count,
        Query = $"service:{Services[i % Services.Length]} AND level:{Levels[i / Services.Length % Levels.Length]}",
        Window = TimeSpan.FromMinutes(i % 3 switch { 0 => 1, 1 => 5, _ => 15 }),
        Threshold = i % 10 == 9 ? 3 : 10 + (i % 50),
        GroupBy = (i % 4) switch { 1 => "service", 2 => "endpoint", _ => null },
        MinVolume = 10,
        RepeatInterval = TimeSpan.Zero,
    };

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
