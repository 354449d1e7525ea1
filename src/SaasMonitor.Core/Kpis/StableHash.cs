using System.Numerics;
using System.Runtime.InteropServices;

namespace SaasMonitor.Core.Kpis;

/// <summary>
/// A 64-bit string hash that is the same in every process (unlike <see cref="string.GetHashCode()"/>),
/// so stored distinct-count sketches from different runs merge. Multiply-rotate rounds over four
/// characters at a time with a full avalanche at the end.
/// </summary>
internal static class StableHash
{
    private const ulong Prime1 = 0x9E3779B97F4A7C15;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;
    private const ulong Prime3 = 0x165667B19E3779F9;

    public static ulong Hash64(ReadOnlySpan<char> text)
    {
        var h = Prime3 ^ ((ulong)text.Length * Prime1);
        var blocks = MemoryMarshal.Cast<char, ulong>(text);
        foreach (var block in blocks)
        {
            h ^= Round(block);
            h = (BitOperations.RotateLeft(h, 27) * Prime1) + Prime2;
        }

        ulong tail = 0;
        foreach (var c in text[(blocks.Length * 4)..])
        {
            tail = (tail << 16) | c;
        }

        h ^= Round(tail);
        return Avalanche(h);
    }

    private static ulong Round(ulong k) => BitOperations.RotateLeft(k * Prime2, 31) * Prime1;

    private static ulong Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        h ^= h >> 33;
        return h;
    }
}
