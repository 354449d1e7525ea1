namespace Parser.Worker.Parsing;

/// <summary>
/// Which text lines continue the event before them rather than start one: indented lines (Java, .NET and JavaScript
/// stack frames, Python's <c>File ...</c> lines, wrapped messages), the lines that chain exceptions (<c>Caused by:</c>,
/// <c>... 12 more</c>, Python's <c>Traceback</c> and its "during handling" lines, .NET's <c>--- End of ...</c>) and Go's
/// <c>goroutine N [running]:</c>. Besides these, in a stream whose lines carry timestamps a line with neither a timestamp nor
/// a level continues the event before it (an exception's first line, Python's closing <c>ValueError: ...</c>, the frames of a
/// Go panic). An event joins at most
/// <see cref="MaxLines"/> lines and <see cref="MaxBytes"/> bytes; a line beyond starts a new event.
/// </summary>
internal static class MultiLine
{
    public const int MaxLines = 1_000;
    public const int MaxBytes = 256 * 1024;

    public static bool IsContinuation(ReadOnlySpan<byte> line) =>
        line[0] is (byte)' ' or (byte)'\t'
        || line.StartsWith("Caused by: "u8)
        || line.StartsWith("... "u8)
        || line.StartsWith("Traceback (most recent call last):"u8)
        || line.StartsWith("During handling of the above exception"u8)
        || line.StartsWith("The above exception was the direct cause"u8)
        || line.StartsWith("--- End of "u8)
        || line.StartsWith("goroutine "u8);
}
