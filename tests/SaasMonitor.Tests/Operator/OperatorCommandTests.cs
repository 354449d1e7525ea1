using System.Text;
using SaasMonitor.Core;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Operator;

namespace SaasMonitor.Tests.Operator;

/// <summary>The operator verbs on a real journal in a temporary data folder, run in-process through their public entry.</summary>
public sealed class OperatorCommandTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dataDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "saasmon-operator-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Theory]
    [InlineData(true, "tokens", "create", "--user", "ci")]
    [InlineData(true, "--data-dir", "/srv/saasmon", "tokens", "create", "--user", "ci")]
    [InlineData(true, "--SaasMonitor:Bus=Kafka", "--data-dir", "/srv/saasmon", "dlq", "list")]
    [InlineData(false)]
    [InlineData(false, "--demo")]
    [InlineData(false, "--data-dir", "/srv/saasmon")]
    [InlineData(false, "--data-dir", "/srv/saasmon", "--demo-rate", "50")]
    [InlineData(false, "--urls", "http://0.0.0.0:5000")]
    public void Operator_verbs_are_found_after_the_data_folder_and_settings_and_anything_else_runs_the_server(bool handled, params string[] args) =>
        OperatorCommands.Handles(args).Should().Be(handled);

    [Theory]
    [InlineData("Give exactly one of --to-time or --to-offset", "replay", "--group", "parser", "--topic", "logs.raw")]
    [InlineData("Give exactly one of --to-time or --to-offset", "replay", "--group", "parser", "--topic", "logs.raw", "--to-time", "-1h", "--to-offset", "0")]
    [InlineData("'yesterday' is not a time", "replay", "--group", "parser", "--topic", "logs.raw", "--to-time", "yesterday")]
    [InlineData("--to-offset must be 0 or more", "replay", "--group", "parser", "--topic", "logs.raw", "--to-offset", "-5")]
    [InlineData("Give either --all or the positions", "dlq", "redrive", "--all", "0:1")]
    [InlineData("Give either --all or the positions", "dlq", "redrive")]
    [InlineData("'0-1' is not a dead letter's position", "dlq", "show", "0-1")]
    [InlineData("Unrecognized argument(s): --bogus", "dlq", "list", "--bogus")]
    public async Task Argument_errors_exit_non_zero_with_a_clear_message(string message, params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        code.Should().NotBe(0);
        error.Should().Contain(message);
    }

    [Fact]
    public async Task A_data_folder_without_a_journal_is_named_in_the_refusal()
    {
        var (code, _, error) = await RunAsync("dlq", "list", "--data-dir", _dataDir);

        code.Should().Be(1);
        error.Should().Contain($"There is no SaasMonitor data in {_dataDir}");
    }

    [Fact]
    public async Task Replaying_while_the_journal_is_open_says_the_server_is_running()
    {
        await using var bus = await CreateJournalAsync();

        var (code, _, error) = await RunAsync("replay", "--data-dir", _dataDir, "--group", "parser", "--topic", Topics.Raw, "--to-offset", "0");

        code.Should().Be(1);
        error.Trim().Should().Be($"The server using {_dataDir} is running; stop it before replaying.");
    }

    [Fact]
    public async Task Replaying_the_aggregator_is_refused_because_its_windows_keep_their_own_offsets()
    {
        await (await CreateJournalAsync()).DisposeAsync();

        var (code, _, error) = await RunAsync("replay", "--data-dir", _dataDir, "--group", "aggregator", "--topic", Topics.Events, "--to-offset", "0");

        code.Should().Be(1);
        error.Should().Contain("stored with its KPI windows");
    }

    [Fact]
    public async Task Replay_by_offset_clamps_into_each_partition_and_a_dry_run_moves_nothing()
    {
        var bus = await CreateJournalAsync();
        await using (bus)
        {
            await bus.ProduceAsync(Topics.Raw, [.. Enumerable.Range(0, 10).Select(i => new BusMessage(Encoding.UTF8.GetBytes($"r{i}")) { Partition = 0 })], Ct);
            await bus.ProduceAsync(Topics.Raw, [.. Enumerable.Range(0, 3).Select(i => new BusMessage(Encoding.UTF8.GetBytes($"s{i}")) { Partition = 1 })], Ct);
            await bus.SetCommittedOffsetsAsync("parser", [new(Topics.Raw, 0, 10), new(Topics.Raw, 1, 3)], Ct);
        }

        string[] replay = ["replay", "--data-dir", _dataDir, "--group", "parser", "--topic", Topics.Raw, "--to-offset", "5"];
        var (dryCode, dryOutput, _) = await RunAsync([.. replay, "--dry-run"]);
        dryCode.Should().Be(0);
        dryOutput.Should().Contain("Dry run: no offsets moved.").And.MatchRegex(@"total\s+5\s");
        (await CommittedAsync()).Should().Equal(10L, 3L);

        var (code, output, _) = await RunAsync(replay);

        code.Should().Be(0);
        output.Should().MatchRegex(@"\n0\s+10\s+5\s+5\s*\n").And.MatchRegex(@"\n1\s+3\s+3\s+0\s*\n");
        (await CommittedAsync()).Should().Equal(5L, 3L, 0L, 0L);
        var (_, audit, _) = await RunAsync("audit", "--data-dir", _dataDir);
        audit.Should().MatchRegex(@"replay\s+operator:\S+\s+parser on logs\.raw").And.Contain("from console").And.NotContain("Dry", "a dry run changes nothing and is not audited");
    }

    [Fact]
    public async Task Redriving_twice_re_sends_each_dead_letter_once_with_the_next_attempt_and_the_new_format()
    {
        var bus = await CreateJournalAsync();
        await using (bus)
        {
            await bus.ProduceAsync(Topics.DeadLetter, [DeadLetter("line one", originOffset: 7), DeadLetter("line two", originOffset: 8)], Ct);
        }

        var (listCode, list, _) = await RunAsync("dlq", "list", "--data-dir", _dataDir);
        listCode.Should().Be(0);
        list.Should().Contain("0:0  ").And.Contain("invalid-json").And.Contain($"origin {Topics.Raw}/2/7#0").And.Contain("2 of 2 dead letter(s)");

        var (firstCode, first, _) = await RunAsync("dlq", "redrive", "--all", "--format", "text", "--data-dir", _dataDir);
        var (secondCode, second, _) = await RunAsync("dlq", "redrive", "--all", "--data-dir", _dataDir);
        var (selectedCode, selected, _) = await RunAsync("dlq", "redrive", "0:1", "--data-dir", _dataDir);

        (firstCode, secondCode, selectedCode).Should().Be((0, 0, 0));
        first.Should().Contain("Re-sent 2 dead letter(s)");
        second.Should().Contain("Re-sent 0 dead letter(s)");
        selected.Should().Contain("skipped (already redriven) 0:1");
        await using var reopened = new JournalBus(new JournalOptions { Directory = Path.Combine(_dataDir, "journal") });
        var raw = await ReadAllAsync(reopened, Topics.Raw);
        raw.Select(m => Encoding.UTF8.GetString(m.Value.Span)).Should().BeEquivalentTo("line one", "line two");
        raw.Should().OnlyContain(m => m.Header(RawRecordHeaders.Format) == "text" && m.Header(DeadLetterHeaders.Attempt) == "2" && m.Header(RawRecordHeaders.Source) == "http");
        var (_, audit, _) = await RunAsync("audit", "--action", "redrive", "--data-dir", _dataDir);
        audit.Should().Contain("2 re-sent, 0 skipped, format text").And.Contain("0 re-sent, 1 skipped");
    }

    [Fact]
    public async Task Dlq_show_prints_every_header_and_escapes_unprintable_bytes()
    {
        var bus = await CreateJournalAsync();
        await using (bus)
        {
            await bus.ProduceAsync(Topics.DeadLetter, [DeadLetter("bad\tline\u0001\r", originOffset: 3)], Ct);
        }

        var (code, output, _) = await RunAsync("dlq", "show", "0:0", "--data-dir", _dataDir);

        code.Should().Be(0);
        output.Should().Contain("error-message: unexpected character").And.Contain("origin-offset: 3").And.Contain("format: json")
            .And.Contain("original bytes (10):").And.Contain("bad\\tline\\u0001\\r");
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await OperatorCommands.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<JournalBus> CreateJournalAsync()
    {
        var bus = new JournalBus(new JournalOptions { Directory = Path.Combine(_dataDir, "journal") });
        await bus.EnsureTopicAsync(new TopicSpec(Topics.Raw, 4), Ct);
        await bus.EnsureTopicAsync(new TopicSpec(Topics.Events, 4), Ct);
        await bus.EnsureTopicAsync(new TopicSpec(Topics.DeadLetter, 1), Ct);
        return bus;
    }

    private async Task<long[]> CommittedAsync()
    {
        await using var bus = new JournalBus(new JournalOptions { Directory = Path.Combine(_dataDir, "journal") });
        return [.. (await bus.GetCommittedOffsetsAsync("parser", Topics.Raw, Ct)).Select(o => o.Offset)];
    }

    private static BusMessage DeadLetter(string text, long originOffset) => new(Encoding.UTF8.GetBytes(text))
    {
        Headers =
        [
            Header(DeadLetterHeaders.OriginTopic, Topics.Raw),
            Header(DeadLetterHeaders.OriginPartition, "2"),
            Header(DeadLetterHeaders.OriginOffset, originOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Header(DeadLetterHeaders.OriginIndex, "0"),
            Header(DeadLetterHeaders.ErrorType, "invalid-json"),
            Header(DeadLetterHeaders.ErrorMessage, "unexpected character"),
            Header(DeadLetterHeaders.Attempt, "1"),
            Header(DeadLetterHeaders.FailedAt, "2025-05-01T12:00:00.0000000+00:00"),
            Header(RawRecordHeaders.Source, "http"),
            Header(RawRecordHeaders.Format, "json"),
        ],
    };

    private static MessageHeader Header(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    private static async Task<List<ConsumedMessage>> ReadAllAsync(IMessageBus bus, string topic)
    {
        var all = new List<ConsumedMessage>();
        var ranges = (await bus.GetWatermarksAsync(topic, Ct)).ToDictionary(w => w.Partition, w => new OffsetRange(w.Low, w.High));
        await foreach (var batch in TopicReader.ReadAsync(bus, topic, ranges, Ct))
        {
            all.AddRange(batch);
        }

        return all;
    }
}
