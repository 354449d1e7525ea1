using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting;

namespace Dashboard.Web;

/// <summary>
/// The live tail's source: reads the events topic from its end as a member of a group of its own (one per process,
/// never committing, so it moves nobody's offsets) and hands each batch to the open live-tail pages, filtered by
/// each page's query with <see cref="IEventMatcher"/>. Works the same whether the pipeline runs in this process or
/// elsewhere over Kafka, and does not wait for the index to make events searchable.
/// </summary>
internal sealed partial class LiveFeed(IMessageBus bus, IEventMatcher matcher, IOptions<SaasMonitorOptions> options, ILogger<LiveFeed> log) : BackgroundService
{
    private const int BatchSize = 5_000;

    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<LiveSubscription, byte> _subscribers = new();
    private double _eventsPerSecond;

    /// <summary>Events arriving on the events topic per second, over the last few seconds: the pipeline's current ingest rate.</summary>
    public double EventsPerSecond => Volatile.Read(ref _eventsPerSecond);

    /// <summary>Starts delivering events that arrive from now on to <paramref name="subscription"/> until it is disposed.</summary>
    public LiveSubscription Subscribe(string? query, int capacity)
    {
        var subscription = new LiveSubscription(query?.Trim() ?? "", capacity, s => _subscribers.TryRemove(s, out _));
        _subscribers[subscription] = 0;
        return subscription;
    }

    /// <summary>Checks a query before a page subscribes with it.</summary>
    /// <exception cref="InvalidQueryException">Not valid syntax or an unknown field.</exception>
    public void Validate(string query) => matcher.Match([], [query]);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var topic = options.Value.Topics.Events;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(topic, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFollowFailed(log, ex, topic);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FollowAsync(string topic, CancellationToken ct)
    {
        var ends = (await bus.GetWatermarksAsync(topic, ct).ConfigureAwait(false)).ToDictionary(w => w.Partition, w => w.High);
        var consumer = bus.Subscribe($"saasmon-live-{Environment.MachineName}-{Guid.NewGuid():N}", [topic], new RebalanceHandlers
        {
            Assigned = assigned => [.. assigned.Select(p => new TopicPartitionOffset(topic, p.Partition, ends.GetValueOrDefault(p.Partition)))],
        });
        await using (consumer.ConfigureAwait(false))
        {
            var counted = 0L;
            var since = Stopwatch.GetTimestamp();
            while (!ct.IsCancellationRequested)
            {
                var batch = await consumer.ConsumeAsync(BatchSize, TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                counted += batch.Count;
                if (Stopwatch.GetElapsedTime(since) is var elapsed && elapsed >= RateWindow)
                {
                    Volatile.Write(ref _eventsPerSecond, counted / elapsed.TotalSeconds);
                    counted = 0;
                    since = Stopwatch.GetTimestamp();
                }

                if (batch.Count > 0 && !_subscribers.IsEmpty)
                {
                    Deliver(batch);
                }
            }
        }
    }

    private void Deliver(IReadOnlyList<ConsumedMessage> batch)
    {
        var events = new List<LogEvent>(batch.Count);
        foreach (var m in batch)
        {
            try
            {
                events.Add(JsonSerializer.Deserialize(m.Value.Span, LogEventJson.Event)!);
            }
            catch (JsonException)
            {
                // The indexer dead-letters what it cannot read; the tail shows what it can.
            }
        }

        var subscribers = _subscribers.Keys.ToList();
        var queries = subscribers.Select(s => s.Query).Distinct(StringComparer.Ordinal).ToList();
        var matched = matcher.Match(events, queries);
        var byQuery = queries.Select((q, i) => (q, i)).ToDictionary(x => x.q, x => matched[x.i], StringComparer.Ordinal);
        foreach (var s in subscribers)
        {
            s.Offer(byQuery[s.Query], events.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live tail stopped following {Topic}; it starts again in 2 s")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception, string topic);
}

/// <summary>
/// One live-tail page's share of the feed: the newest matching events up to a capacity between two reads, and how
/// many matched but were not kept (the page says so: sampling is stated, never silent).
/// </summary>
internal sealed class LiveSubscription(string query, int capacity, Action<LiveSubscription> unsubscribe) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<LogEvent> _pending = new();
    private long _skipped;
    private long _arrived;

    public string Query { get; } = query;

    /// <summary>Every event that arrived on the topic, matching or not, since the subscription began.</summary>
    public long Arrived => Interlocked.Read(ref _arrived);

    public void Offer(IReadOnlyList<LogEvent> matching, int arrived)
    {
        Interlocked.Add(ref _arrived, arrived);
        lock (_gate)
        {
            foreach (var e in matching)
            {
                _pending.Enqueue(e);
                if (_pending.Count > capacity)
                {
                    _pending.Dequeue();
                    _skipped++;
                }
            }
        }
    }

    /// <summary>The events kept since the last read, oldest first, and how many matching events were left out to keep within capacity.</summary>
    public (IReadOnlyList<LogEvent> Events, long Skipped) Take()
    {
        lock (_gate)
        {
            var taken = (_pending.ToList(), _skipped);
            _pending.Clear();
            _skipped = 0;
            return taken;
        }
    }

    public void Dispose() => unsubscribe(this);
}
