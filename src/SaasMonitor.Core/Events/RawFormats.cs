namespace SaasMonitor.Core.Events;

/// <summary>The names of <see cref="RawFormat"/> in the raw record's format header and in the API.</summary>
public static class RawFormats
{
    public static string Name(RawFormat format) => format switch
    {
        RawFormat.Json => "json",
        RawFormat.JsonLines => "jsonl",
        RawFormat.Csv => "csv",
        RawFormat.Apache => "apache",
        RawFormat.Text => "text",
        RawFormat.Clef => "clef",
        RawFormat.Gelf => "gelf",
        RawFormat.Ecs => "ecs",
        RawFormat.Otlp => "otlp",
        RawFormat.Loki => "loki",
        _ => "auto",
    };

    /// <summary>The format whose <see cref="Name"/> is <paramref name="name"/> (any case, surrounding spaces ignored).</summary>
    public static RawFormat? FromName(string name) =>
        Enum.GetValues<RawFormat>().Cast<RawFormat?>().FirstOrDefault(f => Name(f!.Value).Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
