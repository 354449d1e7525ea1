using SaasMonitor.Core.Events;

namespace SaasMonitor.Core.Search;

/// <summary>
/// Decides which events of a batch match queries in the search language, exactly as the search store would answer
/// them once the events are indexed: how the live tail filters events as they arrive.
/// </summary>
public interface IEventMatcher
{
    /// <summary>For each of <paramref name="queries"/> (empty matches everything), the events of <paramref name="batch"/> it matches, in batch order.</summary>
    /// <exception cref="InvalidQueryException">A query is not valid syntax or names an unknown field.</exception>
    IReadOnlyList<IReadOnlyList<LogEvent>> Match(IReadOnlyList<LogEvent> batch, IReadOnlyList<string> queries);
}
