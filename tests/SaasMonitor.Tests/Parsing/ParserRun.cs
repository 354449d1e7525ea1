using System.Text;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

/// <summary>Runs the parser over a payload with a fixed context and collects what it produced.</summary>
internal sealed record ParserRun(List<LogEvent> Events, List<ParseFailure> Failures)
{
    public static readonly DateTimeOffset ReceivedAt = new(2025, 12, 31, 12, 0, 0, TimeSpan.Zero);

    public static RawContext Context { get; } = new(Partition: 3, Offset: 42, Source: "upload", FileId: "file-1", ReceivedAt);

    public static ParserRun Of(string payload, RawFormat format = RawFormat.Auto) => Of(Encoding.UTF8.GetBytes(payload), format);

    public static ParserRun Of(byte[] payload, RawFormat format = RawFormat.Auto)
    {
        var run = new ParserRun([], []);
        new LogParser().Parse(payload, format, Context, run.Events, run.Failures);
        return run;
    }

    public static ParserRun OfFile(RawFormat format, params string[] path) => Of(File.ReadAllBytes(TestData.PathOf(path)), format);

    /// <summary>The single event of a one-record payload.</summary>
    public LogEvent Single()
    {
        Failures.Should().BeEmpty();
        Events.Should().ContainSingle();
        return Events[0];
    }
}
