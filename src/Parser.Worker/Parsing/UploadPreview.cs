using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;

namespace Parser.Worker.Parsing;

/// <summary>What the first bytes of a file become when parsed: the format they are read as, and their first events and failures.</summary>
public sealed record UploadPreview(RawFormat Format, IReadOnlyList<LogEvent> Events, IReadOnlyList<ParseFailure> Failures)
{
    /// <summary>
    /// Parses <paramref name="head"/>, the first bytes of a file (all of it when <paramref name="complete"/>), as
    /// <paramref name="format"/>, or as the detected format for <see cref="RawFormat.Auto"/>, with the parser's settings
    /// for uploads (<paramref name="parsing"/>: a line pattern or multi-line start configured for source "upload"), so
    /// the preview shows what the parser will store. A head cut mid-file drops its last, partial line so the preview
    /// shows no failure the whole file would not have.
    /// </summary>
    public static UploadPreview Of(ReadOnlySpan<byte> head, bool complete, RawFormat format, int rows, ParsingOptions parsing)
    {
        ArgumentNullException.ThrowIfNull(parsing);
        if (!complete && head.LastIndexOf((byte)'\n') is var end and > 0)
        {
            head = head[..(end + 1)];
        }

        var resolved = format == RawFormat.Auto ? LogParser.Detect(head) : format;
        var events = new List<LogEvent>();
        var failures = new List<ParseFailure>();
        new LogParser(parsing.MultiLineStarts(), parsing.SourcePatterns())
            .Parse(head, resolved, new RawContext(0, 0, LogFile.Source, null, DateTimeOffset.UtcNow), events, failures);
        return new UploadPreview(resolved, events.Take(rows).ToList(), failures.Take(rows).ToList());
    }
}
