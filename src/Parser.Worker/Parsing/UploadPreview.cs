using SaasMonitor.Core.Events;

namespace Parser.Worker.Parsing;

/// <summary>What the first bytes of a file become when parsed: the format they are read as, and their first events and failures.</summary>
public sealed record UploadPreview(RawFormat Format, IReadOnlyList<LogEvent> Events, IReadOnlyList<ParseFailure> Failures)
{
    /// <summary>
    /// Parses <paramref name="head"/>, the first bytes of a file (all of it when <paramref name="complete"/>), as
    /// <paramref name="format"/>, or as the detected format for <see cref="RawFormat.Auto"/>. A head cut mid-file
    /// drops its last, partial line so the preview shows no failure the whole file would not have.
    /// </summary>
    public static UploadPreview Of(ReadOnlySpan<byte> head, bool complete, RawFormat format, int rows)
    {
        if (!complete && head.LastIndexOf((byte)'\n') is var end and > 0)
        {
            head = head[..(end + 1)];
        }

        var resolved = format == RawFormat.Auto ? LogParser.Detect(head) : format;
        var events = new List<LogEvent>();
        var failures = new List<ParseFailure>();
        new LogParser().Parse(head, resolved, new RawContext(0, 0, null, null, DateTimeOffset.UtcNow), events, failures);
        return new UploadPreview(resolved, events.Take(rows).ToList(), failures.Take(rows).ToList());
    }
}
