namespace SaasMonitor.MongoDB;

/// <summary>Instants are stored as UTC ticks (BSON Int64): exact to the tick, as the SQLite stores keep them, and ordered.</summary>
internal static class Ticks
{
    public static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? ToTime(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
}
