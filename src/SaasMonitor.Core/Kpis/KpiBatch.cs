using SaasMonitor.Core.Events;

namespace SaasMonitor.Core.Kpis;

/// <summary>
/// The KPI windows (minute, hour and day) and user windows of a batch of events, ready to be merged
/// into the store. Events are counted once into minute windows; hour and day windows are rolled up
/// from those when read, which keeps the per-event cost to one lookup.
/// </summary>
public sealed class KpiBatch
{
    private static readonly KpiGranularity[] Coarser = [KpiGranularity.Hour, KpiGranularity.Day];

    private readonly Dictionary<(DateTimeOffset Start, KpiKey Key), KpiWindow> _minutes = [];
    private readonly Dictionary<(DateTimeOffset Start, (string Service, string FileId) Key), UserWindow> _minuteUsers = [];
    private List<KpiWindow>? _windows;
    private List<UserWindow>? _users;

    public int EventCount { get; private set; }

    /// <summary>Every window of the batch: minute windows and the hour and day windows rolled up from them.</summary>
    public IReadOnlyCollection<KpiWindow> Windows => _windows ??= RollUp(
        _minutes.Values,
        w => (w.Start, w.Key),
        (g, start, w) => new KpiWindow { Granularity = g, Start = start, Key = w.Key },
        (into, w) => into.Merge(w));

    /// <summary>Distinct users per (granularity, window start, service, file) for events that name a user.</summary>
    public IReadOnlyCollection<UserWindow> Users => _users ??= RollUp(
        _minuteUsers.Values,
        w => (w.Start, (w.Service, w.FileId)),
        (g, start, w) => new UserWindow { Granularity = g, Start = start, Service = w.Service, FileId = w.FileId },
        (into, w) => into.Users.Merge(w.Users));

    public void Add(LogEvent e)
    {
        var start = KpiGranularity.Minute.WindowStart(e.Timestamp);
        var key = KpiKey.Of(e);
        if (!_minutes.TryGetValue((start, key), out var window))
        {
            window = new KpiWindow { Granularity = KpiGranularity.Minute, Start = start, Key = key };
            _minutes.Add((start, key), window);
        }

        window.Add(e);
        if (!string.IsNullOrEmpty(e.UserId))
        {
            if (!_minuteUsers.TryGetValue((start, (key.Service, key.FileId)), out var users))
            {
                users = new UserWindow { Granularity = KpiGranularity.Minute, Start = start, Service = key.Service, FileId = key.FileId };
                _minuteUsers.Add((start, (key.Service, key.FileId)), users);
            }

            users.Users.Add(e.UserId);
        }

        EventCount++;
        _windows = null;
        _users = null;
    }

    private static List<T> RollUp<T, TKey>(
        IEnumerable<T> minuteWindows,
        Func<T, (DateTimeOffset Start, TKey Key)> identify,
        Func<KpiGranularity, DateTimeOffset, T, T> create,
        Action<T, T> merge)
        where TKey : notnull
    {
        var all = new List<T>(minuteWindows);
        var minuteCount = all.Count;
        foreach (var granularity in Coarser)
        {
            var coarse = new Dictionary<(DateTimeOffset, TKey), T>();
            for (var i = 0; i < minuteCount; i++)
            {
                var (start, key) = identify(all[i]);
                var coarseStart = granularity.WindowStart(start);
                if (!coarse.TryGetValue((coarseStart, key), out var window))
                {
                    window = create(granularity, coarseStart, all[i]);
                    coarse.Add((coarseStart, key), window);
                }

                merge(window, all[i]);
            }

            all.AddRange(coarse.Values);
        }

        return all;
    }
}
