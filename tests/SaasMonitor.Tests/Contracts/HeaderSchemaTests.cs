using System.Text;
using Ingest.Gateway;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Parser.Worker;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Hosting;
using SaasMonitor.Tests.Conformance;
using SaasMonitor.Tests.Journal;

namespace SaasMonitor.Tests.Contracts;

/// <summary>
/// The headers the product writes follow logs.raw.v1 and logs.dlq.v1: a raw record goes through the gateway's
/// <see cref="RawWriter"/> onto a journal, the real <see cref="ParserService"/> consumes it, and what lands on the
/// raw, events and dead-letter topics is checked against the contracts.
/// </summary>
public sealed class HeaderSchemaTests : IAsyncLifetime
{
    private const string FileId = "file-contract";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly JournalDirectory _directory = new();
    private readonly SqliteTestDatabase _database = new();
    private readonly IOptions<SaasMonitorOptions> _options = Options.Create(new SaasMonitorOptions { Partitions = 1 });
    private JournalBus _bus = null!;

    public async ValueTask InitializeAsync()
    {
        _bus = new JournalBus(_directory.Options());
        var topics = _options.Value.Topics;
        foreach (var topic in new[] { topics.Raw, topics.Events, topics.DeadLetter })
        {
            await _bus.EnsureTopicAsync(new TopicSpec(topic, 1), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.DisposeAsync();
        _database.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Raw_records_written_by_the_gateway_follow_logs_raw_v1()
    {
        await AppendAsync("{\"level\":\"info\",\"message\":\"ok\"}\n");

        var raw = await ReadAsync(_options.Value.Topics.Raw, 1);

        MessageSchemas.Of(raw[0].Headers).Should().BeSameAs(MessageSchemas.Raw);
        var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.Raw, ContractSchemas.HeadersAsJson(raw[0].Headers));
        errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Dead_letters_and_events_written_by_the_parser_name_and_follow_their_schemas()
    {
        await AppendAsync("{\"level\":\"info\",\"message\":\"ok\"}\n{\"level\":\n");
        var parser = new ParserService(_bus, await MetadataAsync(), _options, NullLogger<ParserService>.Instance);
        await parser.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var deadLetter = (await ReadAsync(_options.Value.Topics.DeadLetter, 1))[0];
            var logEvent = (await ReadAsync(_options.Value.Topics.Events, 1))[0];

            MessageSchemas.Of(deadLetter.Headers).Should().BeSameAs(MessageSchemas.DeadLetter);
            var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.DeadLetter, ContractSchemas.HeadersAsJson(deadLetter.Headers));
            errors.Should().BeEmpty();
            deadLetter.Header(DeadLetterHeaders.OriginIndex).Should().Be("1");

            MessageSchemas.Of(logEvent.Headers).Should().BeSameAs(MessageSchemas.Events);
            var eventErrors = await ContractSchemas.ErrorsAsync(MessageSchemas.Events, Encoding.UTF8.GetString(logEvent.Value.Span));
            eventErrors.Should().BeEmpty();
        }
        finally
        {
            await parser.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Dead_letter_headers_without_their_schema_header_are_reported_invalid()
    {
        var headers = new List<MessageHeader>
        {
            new(DeadLetterHeaders.OriginTopic, "logs.raw"u8.ToArray()),
            new(DeadLetterHeaders.OriginPartition, "0"u8.ToArray()),
            new(DeadLetterHeaders.OriginOffset, "not-a-number"u8.ToArray()),
        };

        var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.DeadLetter, ContractSchemas.HeadersAsJson(headers));

        errors.Should().Contain(e => e.Contains("origin-offset", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("schema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Raw_headers_that_name_another_schema_or_an_unknown_format_are_reported_invalid()
    {
        var headers = new List<MessageHeader>
        {
            new(MessageSchemas.HeaderName, "logs.raw.v2"u8.ToArray()),
            new(RawRecordHeaders.Format, "xml"u8.ToArray()),
        };

        var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.Raw, ContractSchemas.HeadersAsJson(headers));

        errors.Should().HaveCount(2);
    }

    private async Task AppendAsync(string jsonLines)
    {
        var writer = new RawWriter(_bus, _options, TimeProvider.System, new DiskSpace(_options));
        var payload = Encoding.UTF8.GetBytes(jsonLines);
        await writer.AppendAsync([new RawChunk(payload, RawFormat.JsonLines, 2)], "contract-test", FileId, key: null, TestContext.Current.CancellationToken);
    }

    private async Task<IMetadataStore> MetadataAsync()
    {
        var store = _database.Open(o => new SqliteMetadataStore(o));
        await store.CreateFileAsync(new LogFile { Id = FileId, FileName = "contract.jsonl", FileType = "jsonl", Status = FileStatus.Processing }, TestContext.Current.CancellationToken);
        return store;
    }

    private async Task<IReadOnlyList<ConsumedMessage>> ReadAsync(string topic, int count)
    {
        var consumer = _bus.Subscribe("contract-reader-" + topic, [topic]);
        await using (consumer)
        {
            var read = new List<ConsumedMessage>();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(Deadline);
            while (read.Count < count)
            {
                read.AddRange(await consumer.ConsumeAsync(count - read.Count, TimeSpan.FromMilliseconds(200), deadline.Token));
            }

            return read;
        }
    }
}
