using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Kafka;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// The kcat commands of docs/kafka.md, run as written (broker and topic swapped for the test broker's) with the
/// kcat binary against the test broker: what they write is what the parser reads, and what they print is what the doc shows.
/// </summary>
public sealed class KcatTests(KafkaTestBrokerFixture fixture) : IClassFixture<KafkaTestBrokerFixture>
{
    private const string DocumentedBroker = "localhost:9092";

    private static readonly TimeSpan KcatTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string UniqueName(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_jsonl_record_published_with_the_documented_kcat_command_is_parsed_into_its_event()
    {
        var topic = UniqueName("raw");
        fixture.Broker.CreateTopic(topic, 4);
        var command = KafkaDoc.ShellBlock("kcat -P", "format=jsonl");

        await RunKcatAsync(ForTestBroker(command, "logs.raw", topic));

        await using var bus = new KafkaBus(fixture.Options());
        await using var consumer = bus.Subscribe(UniqueName("parser"), [topic]);
        var raw = await KafkaBusTests.ConsumeOneAsync(consumer);
        Encoding.UTF8.GetString(raw.Key!.Value.Span).Should().Be("checkout");
        raw.Headers.Select(h => (h.Key, Encoding.UTF8.GetString(h.Value.Span))).Should().Equal(("format", "jsonl"), ("source", "checkout"));
        Encoding.UTF8.GetString(raw.Value.Span).Should().Be(HeredocBody(command), "kcat sends each line as one message, without its newline");

        var events = Parse(raw);

        events.Should().ContainSingle();
        var e = events[0];
        e.Id.Should().Be($"{raw.Partition}-{raw.Offset}-0");
        e.Timestamp.Should().Be(new DateTimeOffset(2026, 1, 4, 10, 17, 11, TimeSpan.Zero));
        e.Level.Should().Be(LogLevels.Error);
        e.Endpoint.Should().Be("/api/orders");
        e.StatusCode.Should().Be(500);
        e.ResponseTimeMs.Should().Be(394.2);
        e.Message.Should().Be("db timeout");
        e.Source.Should().Be("checkout");
    }

    [Fact]
    public async Task Events_written_as_the_parser_writes_them_are_printed_by_the_documented_kcat_command_as_the_doc_shows()
    {
        var topic = UniqueName("events");
        fixture.Broker.CreateTopic(topic, 2);
        var raw = HeredocBody(KafkaDoc.ShellBlock("kcat -P", "format=jsonl"));
        var context = new RawContext(Partition: 1, Offset: 0, Source: "checkout", FileId: null, new DateTimeOffset(2026, 1, 4, 10, 17, 11, 250, TimeSpan.Zero));
        var events = new List<LogEvent>();
        var failures = new List<ParseFailure>();
        new LogParser().Parse(Encoding.UTF8.GetBytes(raw), RawFormat.JsonLines, context, events, failures);
        failures.Should().BeEmpty();
        var json = JsonSerializer.SerializeToUtf8Bytes(events.Single(), LogEventJson.Default.LogEvent);
        await using (var bus = new KafkaBus(fixture.Options()))
        {
            await bus.ProduceAsync(
                topic,
                [new BusMessage(json) { Key = Encoding.UTF8.GetBytes(events[0].Id), Headers = [MessageSchemas.Events.Header], Partition = context.Partition }],
                Ct);
        }

        var command = KafkaDoc.ShellBlock("kcat -C", "logs.events");
        var output = await RunKcatAsync(ForTestBroker(command, "logs.events", topic));

        output.Should().Be($"1 0 1-0-0 schema=logs.events.v1 {Encoding.UTF8.GetString(json)}\n");
        output.Should().Be(KafkaDoc.TextBlockAfter(command) + "\n", "docs/kafka.md shows this command's output");
    }

    /// <summary>The documented command aimed at the test broker and a test topic; it must name the documented ones.</summary>
    private string ForTestBroker(string command, string documentedTopic, string topic)
    {
        command.Should().Contain($"-b {DocumentedBroker}").And.Contain($"-t {documentedTopic} ");
        return command.Replace($"-b {DocumentedBroker}", $"-b {fixture.Broker.BootstrapServers}", StringComparison.Ordinal)
            .Replace($"-t {documentedTopic} ", $"-t {topic} ", StringComparison.Ordinal);
    }

    /// <summary>What the parser service does with a raw record: format, source and file from the headers, position from the bus.</summary>
    private static List<LogEvent> Parse(ConsumedMessage raw)
    {
        var events = new List<LogEvent>();
        var failures = new List<ParseFailure>();
        var context = new RawContext(raw.Partition, raw.Offset, raw.Header(RawRecordHeaders.Source), raw.Header(RawRecordHeaders.FileId), raw.Timestamp);
        new LogParser().Parse(raw.Value.Span, LogParser.FormatFromName(raw.Header(RawRecordHeaders.Format)), context, events, failures);
        failures.Should().BeEmpty();
        return events;
    }

    /// <summary>The lines of the command's <c>&lt;&lt;'EOF'</c> here-document, without the final newline.</summary>
    private static string HeredocBody(string command)
    {
        var start = command.IndexOf("<<'EOF'\n", StringComparison.Ordinal);
        var end = command.LastIndexOf("\nEOF", StringComparison.Ordinal);
        start.Should().BePositive("the documented command reads its records from a here-document");
        return command[(start + "<<'EOF'\n".Length)..end];
    }

    /// <summary>Runs a shell command line that calls kcat and returns its standard output; fails on a non-zero exit or after <see cref="KcatTimeout"/>.</summary>
    private static async Task<string> RunKcatAsync(string commandLine)
    {
        RequireKcat();
        var start = new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", commandLine },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(KcatTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kcat did not finish within {KcatTimeout.TotalSeconds} s: {commandLine}\n{await stderr}");
        }

        process.ExitCode.Should().Be(0, $"kcat should succeed: {commandLine}\n{await stderr}");
        return await stdout;
    }

    private static void RequireKcat()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "kcat")));
        if (!onPath)
        {
            Assert.Fail("kcat is not on PATH. Install it as .ci/run does: command -v kcat >/dev/null || { apt-get update && apt-get install -y kcat; }");
        }
    }

    /// <summary>The fenced blocks of docs/kafka.md.</summary>
    private static class KafkaDoc
    {
        private static readonly Lazy<string> Text = new(() => File.ReadAllText(Find()).ReplaceLineEndings("\n"));

        /// <summary>The one <c>sh</c> block that starts with <paramref name="prefix"/> and contains <paramref name="marker"/>.</summary>
        public static string ShellBlock(string prefix, string marker)
        {
            var blocks = Blocks("sh").Where(b => b.Body.StartsWith(prefix, StringComparison.Ordinal) && b.Body.Contains(marker, StringComparison.Ordinal)).ToList();
            blocks.Should().ContainSingle($"docs/kafka.md documents one '{prefix}' command with '{marker}'");
            return blocks[0].Body;
        }

        /// <summary>The <c>text</c> block that follows <paramref name="command"/>'s block: its documented output.</summary>
        public static string TextBlockAfter(string command)
        {
            var all = Blocks(null).ToList();
            var index = all.FindIndex(b => b.Body == command);
            (index >= 0 && index + 1 < all.Count && all[index + 1].Language == "text").Should().BeTrue("the command's output follows it in a text block");
            return all[index + 1].Body;
        }

        private static IEnumerable<(string Language, string Body)> Blocks(string? language)
        {
            var lines = Text.Value.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("```", StringComparison.Ordinal) || lines[i].Length == 3)
                {
                    continue;
                }

                var blockLanguage = lines[i][3..];
                var end = Array.FindIndex(lines, i + 1, l => l == "```");
                if (language is null || language == blockLanguage)
                {
                    yield return (blockLanguage, string.Join('\n', lines[(i + 1)..end]));
                }

                i = end;
            }
        }

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "docs", "kafka.md");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("docs/kafka.md not found above the test directory.");
        }
    }
}
