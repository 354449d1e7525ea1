using SaasMonitor.Core.Kpis;

namespace SaasMonitor.Embedded.Sqlite;

/// <summary>
/// The stored state of recently written windows, so the single writer merges into them without re-reading.
/// Events arrive roughly in time order: past its capacity the cache drops windows more than two window
/// lengths older than the newest window of their granularity, and everything if that is not enough.
/// </summary>
internal sealed class RecentWindowCache<TKey, TValue>(int capacity, Func<TKey, (KpiGranularity Granularity, DateTimeOffset Start)> windowOf)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _items = [];
    private readonly DateTimeOffset[] _newestStart = new DateTimeOffset[Enum.GetValues<KpiGranularity>().Length];

    public int Count => _items.Count;

    public bool TryGet(TKey key, out TValue value) => _items.TryGetValue(key, out value!);

    public void Set(TKey key, TValue value)
    {
        _items[key] = value;
        var (granularity, start) = windowOf(key);
        if (start > _newestStart[(int)granularity])
        {
            _newestStart[(int)granularity] = start;
        }
    }

    public void Trim()
    {
        if (_items.Count <= capacity)
        {
            return;
        }

        RemoveWhere(key =>
        {
            var (granularity, start) = windowOf(key);
            return start < _newestStart[(int)granularity] - (2 * granularity.Length());
        });
        if (_items.Count > capacity)
        {
            _items.Clear();
        }
    }

    public void RemoveOlderThan(KpiGranularity granularity, DateTimeOffset cutoff) =>
        RemoveWhere(key => windowOf(key) is var w && w.Granularity == granularity && w.Start < cutoff);

    public void Clear() => _items.Clear();

    public void RemoveWhere(Func<TKey, bool> predicate)
    {
        foreach (var key in _items.Keys.Where(predicate).ToList())
        {
            _items.Remove(key);
        }
    }
}
