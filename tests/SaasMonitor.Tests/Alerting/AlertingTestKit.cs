using Alerting.Worker;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Tests.Conformance;

namespace SaasMonitor.Tests.Alerting;

/// <summary>
/// The alerting worker's parts on real engines (SQLite, an empty Lucene index) with fake time and scripted
/// observations, reopened on the same database as a restarted worker would be.
/// </summary>
public sealed class AlertingTestKit : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private readonly string _index = Path.Combine(Path.GetTempPath(), "saasmon-alert-index-" + Guid.NewGuid().ToString("N"));
    private readonly LuceneSearchStore _search;

    public AlertingTestKit(AlertingOptions? options = null)
    {
        _search = new LuceneSearchStore(new LuceneSearchOptions { Directory = _index });
        Options = Microsoft.Extensions.Options.Options.Create(options ?? new AlertingOptions { SampleEvents = 0 });
        Store = _database.Open(o => new SqliteAlertStore(o));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public ScriptedSignals Signals { get; } = new();

    public IOptions<AlertingOptions> Options { get; }

    public IAlertStore Store { get; private set; }

    public ChannelSecrets Secrets { get; } = new(new EphemeralDataProtectionProvider());

    internal AlertEvaluator Evaluator() => new(Store, Signals, _search, Options, Time, NullLogger<AlertEvaluator>.Instance);

    internal OutboxSender Sender() => new(Store, new Notifier(new GuardedClients(new TargetGuard(Options)), Secrets, Time), new OutboxSignal(), Options, Time, NullLogger<OutboxSender>.Instance);

    /// <summary>A new store on the same database file, as after a hard kill of the worker.</summary>
    public void Reopen() => Store = _database.Open(o => new SqliteAlertStore(o));

    public void Dispose()
    {
        _search.Dispose();
        _database.Dispose();
        if (Directory.Exists(_index))
        {
            Directory.Delete(_index, recursive: true);
        }
    }

    private sealed class GuardedClients(TargetGuard guard) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync });
    }
}

/// <summary>Observations a test sets per group key, or an exception to throw.</summary>
public sealed class ScriptedSignals : IRuleSignals
{
    public Dictionary<string, Observation> Next { get; } = [];

    public Exception? Failure { get; set; }

    public Task<IReadOnlyDictionary<string, Observation>> ObserveAsync(AlertRule rule, IReadOnlyCollection<string> knownKeys, DateTimeOffset at, CancellationToken ct) =>
        Failure is { } e ? Task.FromException<IReadOnlyDictionary<string, Observation>>(e) : Task.FromResult<IReadOnlyDictionary<string, Observation>>(new Dictionary<string, Observation>(Next));
}
