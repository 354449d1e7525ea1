using System.Globalization;

namespace SaasMonitor.Core.Events;

/// <summary>
/// Deterministic event ids: where the raw record sits on the bus plus the record's position inside it,
/// so re-parsing the same raw record yields the same ids and downstream writes overwrite instead of duplicating.
/// </summary>
public static class EventIds
{
    /// <summary>"{partition}-{offset}-{index}".</summary>
    public static string For(int partition, long offset, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{partition}-{offset}-{index}");
}
