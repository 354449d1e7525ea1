using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Indexing throughput of the embedded Lucene.NET store: the real mapping (analysed message, stored JSON source)
/// against the same documents with the source not stored and the message not analysed (the limit, Ratio = 1).
/// Mean is per event; events/s = 1 / Mean. Each invocation indexes <see cref="Events"/> events in batches
/// of 1,000 into a fresh index and commits; batches are indexed on two threads unless the case says one.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class IndexingBenchmarks
{
    public const int Events = 50_000;
    private const int BatchSize = 1_000;

    private LogEvent[][] _batches = [];
    private string _folder = "";

    [GlobalSetup]
    public void LoadEvents() =>
        _batches = [.. BenchmarkEvents.Generate(Events, new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1)).Chunk(BatchSize)];

    [IterationSetup]
    public void CreateFolder() => _folder = BenchmarkEvents.NewTempFolder();

    [IterationCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public Task Without_source_and_analysis() => IndexAsync(LogDocumentShape.WithoutSourceAndAnalysis);

    [Benchmark(OperationsPerInvoke = Events)]
    public Task Full_mapping() => IndexAsync(LogDocumentShape.Full);

    [Benchmark(OperationsPerInvoke = Events)]
    public Task Full_mapping_one_thread() => IndexAsync(LogDocumentShape.Full, indexingThreads: 1);

    private async Task IndexAsync(LogDocumentShape shape, int indexingThreads = 2)
    {
        using var store = new LuceneSearchStore(
            new LuceneSearchOptions { Directory = _folder, DocumentShape = shape, IndexingThreads = indexingThreads });
        foreach (var batch in _batches)
        {
            await store.UpsertAsync(batch, CancellationToken.None);
        }

        await store.FlushAsync(CancellationToken.None);
    }
}

/// <summary>
/// Dashboard searches over <see cref="IndexedEvents"/> events spread over a week (one index folder per day),
/// built once in the global setup.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SearchBenchmarks
{
    private static readonly DateTimeOffset Start = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Span = TimeSpan.FromDays(7);

    private readonly SearchQuery _fullTextAndFilter = new() { Text = "failed OR failure", Levels = [LogLevels.Error, LogLevels.Critical] };
    private readonly SearchQuery _phraseLastDay = new() { Text = "\"authentication failure\"", From = Start + Span - TimeSpan.FromDays(1) };
    private readonly SearchQuery _serverErrorsOfOneService = new() { Services = ["payments"], StatusClasses = [5] };

    private LuceneSearchStore _store = null!;
    private string _folder = "";

    [Params(500_000)]
    public int IndexedEvents { get; set; }

    [GlobalSetup]
    public async Task BuildIndexAsync()
    {
        _folder = BenchmarkEvents.NewTempFolder();
        _store = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder });
        foreach (var batch in BenchmarkEvents.Generate(IndexedEvents, Start, Span).Chunk(5_000))
        {
            await _store.UpsertAsync(batch, CancellationToken.None);
        }

        await _store.FlushAsync(CancellationToken.None);
    }

    [GlobalCleanup]
    public void DeleteIndex()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<SearchPage> Full_text_and_level_filter_newest_50() =>
        _store.SearchAsync(new SearchRequest(_fullTextAndFilter), CancellationToken.None);

    [Benchmark]
    public Task<SearchPage> Phrase_in_the_last_day_newest_50() =>
        _store.SearchAsync(new SearchRequest(_phraseLastDay), CancellationToken.None);

    [Benchmark]
    public Task<SearchPage> Filters_only_slowest_50() =>
        _store.SearchAsync(new SearchRequest(_serverErrorsOfOneService) { Sort = SearchSort.SlowestFirst }, CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<TermCount>> Top_10_endpoints_of_errors() =>
        _store.TermsAsync(new SearchQuery { Levels = [LogLevels.Error] }, LogFields.Endpoint, 10, CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<TimeBucket>> Hourly_histogram_of_the_week() =>
        _store.DateHistogramAsync(new SearchQuery(), TimeSpan.FromHours(1), CancellationToken.None);
}

/// <summary>Realistic events: real log lines (shared/data/loghub) as messages, API request fields with skewed distributions.</summary>
internal static class BenchmarkEvents
{
    private static readonly string[] Services = ["api", "web", "database", "auth", "payments"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
    private static readonly string[] Endpoints =
    [
        .. new[] { "/api/users", "/api/orders", "/api/products", "/api/cart", "/api/payments", "/api/search", "/login", "/logout", "/health" }
            .SelectMany(e => new[] { e, e + "/{id}", e + "/{id}/history" }),
    ];

    public static string NewTempFolder() => Path.Combine(Path.GetTempPath(), "saasmon-bench-" + Guid.NewGuid().ToString("N"));

    public static LogEvent[] Generate(int count, DateTimeOffset start, TimeSpan span)
    {
        var messages = LoadMessages();
        var random = new Random(42);
        var step = span.Ticks / count;
        var events = new LogEvent[count];
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(100);
            var status = roll switch { < 85 => 200, < 90 => 201, < 95 => 404, < 97 => 401, _ => 500 + random.Next(4) };
            var level = random.Next(100) switch { 0 => LogLevels.Critical, < 3 => LogLevels.Debug, _ => LogLevels.FromStatus(status) };
            var timestamp = start.AddTicks(step * i);
            events[i] = new LogEvent
            {
                Id = "bench-" + i.ToString(CultureInfo.InvariantCulture),
                Timestamp = timestamp,
                Level = level,
                Message = messages[random.Next(messages.Length)],
                Service = Services[Math.Min(random.Next(8), Services.Length - 1)],
                Server = "web-" + random.Next(1, 9).ToString("D2", CultureInfo.InvariantCulture),
                Endpoint = Endpoints[(int)(Endpoints.Length * Math.Pow(random.NextDouble(), 2))],
                Method = Methods[random.Next(Methods.Length)],
                StatusCode = status,
                ResponseTimeMs = Math.Round(Math.Exp(3 + (2 * random.NextDouble())) * (status >= 500 ? 10 : 1), 1),
                ClientIp = $"10.{random.Next(4)}.{random.Next(256)}.{random.Next(1, 255)}",
                UserId = "user-" + random.Next(20_000).ToString(CultureInfo.InvariantCulture),
                TenantId = "tenant-" + random.Next(50).ToString(CultureInfo.InvariantCulture),
                TraceId = random.NextInt64().ToString("x16", CultureInfo.InvariantCulture),
                Source = "bench",
                ReceivedAt = timestamp.AddMilliseconds(random.Next(5, 500)),
            };
        }

        return events;
    }

    private static string[] LoadMessages()
    {
        var folder = FindLoghub();
        return [.. Directory.EnumerateFiles(folder, "*_2k.log").Order(StringComparer.Ordinal).SelectMany(File.ReadLines)];
    }

    private static string FindLoghub()
    {
        var root = Environment.GetEnvironmentVariable("SAASMON_TEST_DATA");
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); root is null && dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                root = Directory.Exists(candidate) ? candidate : null;
            }
        }

        return root is null
            ? throw new DirectoryNotFoundException("shared/data not found above the benchmark; set SAASMON_TEST_DATA.")
            : Path.Combine(root, "loghub");
    }
}
