using System.Globalization;

namespace SaasMonitor.Hosting.DeadLetters;

/// <summary>Where a dead letter sits on the dead-letter topic, written <c>partition:offset</c> (e.g. <c>0:42</c>).</summary>
public readonly record struct DeadLetterPosition(int Partition, long Offset)
{
    public static bool TryParse(string text, out DeadLetterPosition position)
    {
        position = default;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }

        position = new DeadLetterPosition(partition, offset);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Partition}:{Offset}");
}
