using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Parser.Worker.Parsing;

/// <summary>
/// A small bounded cache of strings keyed by their UTF-8 bytes, so low-cardinality values that repeat
/// across records (service, server, endpoint, tenant, user agent, field names) are allocated once.
/// Direct-mapped: a colliding value replaces the previous one, so memory never grows past the capacity.
/// Only ASCII values are cached (the cached string is compared to the bytes char by char).
/// </summary>
internal sealed class InternPool
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;
    private const int InlineBytes = 2 * sizeof(ulong);

    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly int _maxLength;

    // Random per pool: values crafted to collide can only cost cache misses, and not the same ones in every process.
    private readonly ulong _seed = (ulong)Random.Shared.NextInt64();

    /// <param name="capacity">Slots; rounded up to a power of two.</param>
    /// <param name="maxLength">Longer values are decoded without caching.</param>
    public InternPool(int capacity, int maxLength)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 16));
        _entries = new Entry[size];
        _mask = size - 1;
        _maxLength = maxLength;
    }

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (utf8.Length > _maxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var first = Word(utf8);
        var second = utf8.Length > sizeof(ulong) ? Word(utf8[sizeof(ulong)..]) : 0;
        var hash = Hash(utf8, first, second);
        ref var entry = ref _entries[(int)hash & _mask];
        if (entry.Hash == hash && entry.Length == utf8.Length && entry.First == first && entry.Second == second
            && entry.Value is { } cached && (utf8.Length <= InlineBytes || Ascii.Equals(utf8, cached)))
        {
            return cached;
        }

        var value = Encoding.UTF8.GetString(utf8);
        if (value.Length == utf8.Length)
        {
            entry = new Entry(hash, utf8.Length, first, second, value);
        }

        return value;
    }

    /// <summary>
    /// A multiplicative hash over 8-byte words: a few cycles for the short values pooled here. The first two words
    /// (zero-padded) are also kept in the entry, so values of up to 16 bytes are compared without reading the string.
    /// </summary>
    private uint Hash(ReadOnlySpan<byte> utf8, ulong first, ulong second)
    {
        var hash = Mix(Mix(_seed ^ (ulong)utf8.Length, first), second);
        for (var rest = utf8.Length > InlineBytes ? utf8[InlineBytes..] : default; !rest.IsEmpty; rest = rest.Length > sizeof(ulong) ? rest[sizeof(ulong)..] : default)
        {
            hash = Mix(hash, Word(rest));
        }

        return (uint)(hash ^ hash >> 32);
    }

    /// <summary>The first 8 bytes of <paramref name="utf8"/> as a little-endian word, zero-padded when shorter.</summary>
    internal static ulong Word(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length >= sizeof(ulong))
        {
            return BinaryPrimitives.ReadUInt64LittleEndian(utf8);
        }

        ulong word = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            word |= (ulong)utf8[i] << (i * 8);
        }

        return word;
    }

    private static ulong Mix(ulong hash, ulong word) => BitOperations.RotateLeft((hash ^ word) * Multiplier, 31);

    private readonly record struct Entry(uint Hash, int Length, ulong First, ulong Second, string? Value);
}
