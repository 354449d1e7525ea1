using System.Text.Json;
using Indexer.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SaasMonitor.Core;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Tests.Journal;
using static SaasMonitor.Tests.Conformance.SearchTestEvents;

namespace SaasMonitor.Tests.Hosting;

/// <summary>An event the search store refuses goes to the dead-letter topic with the store's reason; the others are indexed.</summary>
public sealed class IndexerDeadLetterTests : IDisposable
{
    private readonly JournalDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_refused_event_is_dead_lettered_with_the_reason_and_its_json()
    {
        await using var bus = new JournalBus(_directory.Options());
        await bus.EnsureTopicAsync(new TopicSpec(Topics.Events, 1), Ct);
        await bus.EnsureTopicAsync(new TopicSpec(Topics.DeadLetter, 1), Ct);
        var store = new RefusingStore();
        var indexer = new IndexerService(
            bus, store, Options.Create(new SaasMonitorOptions()), Options.Create(new IndexerOptions()), TimeProvider.System, NullLogger<IndexerService>.Instance);
        var events = Catalogue().Take(3).Select((e, i) => i == 1 ? e with { Message = "refuse me", FileId = "file-9" } : e).ToList();
        var json = events.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event)).ToList();
        await bus.ProduceAsync(Topics.Events, [.. json.Select(j => new BusMessage(j))], Ct);

        await indexer.StartAsync(Ct);
        var dead = await FirstDeadLetterAsync(bus);
        await indexer.StopAsync(Ct);

        store.Indexed.Should().Contain(["e1", "e3"]).And.NotContain("e2");
        dead.ErrorType.Should().Be(IndexerService.RejectedByIndex);
        dead.ErrorMessage.Should().Be("400 document_parsing_exception: refused e2");
        dead.Origin.Should().Be($"{Topics.Events}/0/1#0");
        dead.Format.Should().Be("json");
        dead.FileId.Should().Be("file-9");
        dead.Source.Should().Be("upload");
        dead.Original.ToArray().Should().Equal(json[1]);
    }

    private static async Task<DeadLetter> FirstDeadLetterAsync(JournalBus bus)
    {
        await using var consumer = bus.Subscribe("test-dead-letters", [Topics.DeadLetter]);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var batch = await consumer.ConsumeAsync(1, TimeSpan.FromMilliseconds(200), deadline.Token);
            if (batch.Count > 0)
            {
                return DeadLetter.Of(batch[0]);
            }
        }
    }

    /// <summary>Refuses events whose message says so, as Elasticsearch refuses a document its mapping cannot hold.</summary>
    private sealed class RefusingStore : ISearchStore
    {
        private readonly List<string> _indexed = [];

        public IReadOnlyList<string> Indexed
        {
            get
            {
                lock (_indexed)
                {
                    return [.. _indexed];
                }
            }
        }

        public Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, CancellationToken ct)
        {
            var rejected = new List<RejectedEvent>();
            lock (_indexed)
            {
                for (var i = 0; i < events.Count; i++)
                {
                    if (events[i].Message.StartsWith("refuse", StringComparison.Ordinal))
                    {
                        rejected.Add(new RejectedEvent(i, $"400 document_parsing_exception: refused {events[i].Id}"));
                    }
                    else
                    {
                        _indexed.Add(events[i].Id);
                    }
                }
            }

            return Task.FromResult<IReadOnlyList<RejectedEvent>>(rejected);
        }

        public Task FlushAsync(CancellationToken ct) => Task.CompletedTask;

        public Task<SearchPage> SearchAsync(SearchRequest request, CancellationToken ct) => throw new NotSupportedException();

        public Task<LogEvent?> GetAsync(string id, CancellationToken ct) => throw new NotSupportedException();

        public Task<long> CountAsync(SearchQuery query, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<TermCount>> TermsAsync(SearchQuery query, string field, int size, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<TimeBucket>> DateHistogramAsync(SearchQuery query, TimeSpan interval, CancellationToken ct) => throw new NotSupportedException();

        public Task<long> DeleteAsync(SearchQuery query, CancellationToken ct) => throw new NotSupportedException();

        public Task DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => throw new NotSupportedException();
    }
}
