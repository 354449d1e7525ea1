using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Parser.Worker.Parsing;

/// <summary>
/// A named pattern (<see cref="PatternLibrary"/>) applied to the text lines of one source: a line it matches from the
/// start becomes an event of its captures; a line it does not match is read by the general rules.
/// Thread-safe: it keeps no state between lines.
/// </summary>
public sealed class LinePattern
{
    private readonly Regex _regex;
    private readonly (int Group, FieldKind Kind, string Name)[] _fields;
    private readonly bool _capturesMessage;

    private LinePattern(string name, Regex regex)
    {
        Name = name;
        _regex = regex;
        _fields = [.. regex.GetGroupNames()
            .Where(g => g != "0")
            .Select(g => (regex.GroupNumberFromName(g), FieldNames.Lookup(Encoding.UTF8.GetBytes(g)), g))];
        _capturesMessage = _fields.Any(f => f.Kind == FieldKind.Message);
    }

    public string Name { get; }

    /// <summary>
    /// The pattern named <paramref name="name"/>, built in or among <paramref name="configured"/> (name → pattern);
    /// null with <paramref name="problem"/> saying why when it cannot be used.
    /// </summary>
    public static LinePattern? Create(string name, IReadOnlyDictionary<string, string> configured, out string? problem) =>
        PatternLibrary.Compile(name, configured, out problem) is { } regex ? new LinePattern(name, regex) : null;

    /// <summary>Fills <paramref name="builder"/> from the line's captures when the pattern matches it; false, builder untouched, otherwise.</summary>
    internal bool TryApply(ReadOnlySpan<byte> line, EventBuilder builder, DateTimeOffset receivedAt)
    {
        var text = Encoding.UTF8.GetString(line);
        var match = _regex.Match(text);
        if (!match.Success)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            foreach (var (group, kind, name) in _fields)
            {
                var capture = match.Groups[group];
                if (!capture.Success)
                {
                    continue;
                }

                var value = buffer.AsSpan(0, Encoding.UTF8.GetBytes(capture.ValueSpan, buffer));
                if (kind == FieldKind.Timestamp)
                {
                    SetTimestamp(value, builder, receivedAt);
                }
                else
                {
                    builder.Set(kind, name, value);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (!_capturesMessage)
        {
            builder.Message = text;
        }

        return true;
    }

    /// <summary>Any timestamp form the parser reads, month-day forms without a year included.</summary>
    private void SetTimestamp(ReadOnlySpan<byte> value, EventBuilder builder, DateTimeOffset receivedAt)
    {
        value = value.Trim(" \t"u8);
        if (Timestamps.TryParse(value, out var timestamp)
            || (PrefixTimestamp.TryRead(value, 0, receivedAt, out timestamp, out var end, out _) && end == value.Length))
        {
            builder.Timestamp = timestamp;
        }
        else
        {
            builder.Fail(ParseErrorTypes.InvalidTimestamp, $"the timestamp '{Encoding.UTF8.GetString(value)}' captured by pattern {Name} is not one the parser reads");
        }
    }
}
