using System.Linq.Expressions;
using MongoDB.Driver;

namespace SaasMonitor.MongoDB;

/// <summary>Instants are stored as UTC ticks (BSON Int64): exact to the tick, as the SQLite stores keep them, and ordered.</summary>
internal static class Ticks
{
    public static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? ToTime(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Documents whose instant is in [<paramref name="from"/>, <paramref name="to"/>); a null bound is open.</summary>
    public static FilterDefinition<T> Within<T>(Expression<Func<T, long>> field, DateTimeOffset? from, DateTimeOffset? to)
    {
        var f = Builders<T>.Filter;
        var filter = f.Empty;
        if (from is { } start)
        {
            filter &= f.Gte(field, start.UtcTicks);
        }

        if (to is { } end)
        {
            filter &= f.Lt(field, end.UtcTicks);
        }

        return filter;
    }
}
