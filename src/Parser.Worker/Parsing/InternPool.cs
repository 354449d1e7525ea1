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
    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly int _maxLength;

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

        var hash = Hash(utf8);
        ref var entry = ref _entries[hash & _mask];
        if (entry.Hash == hash && entry.Value is { } cached && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var value = Encoding.UTF8.GetString(utf8);
        if (value.Length == utf8.Length)
        {
            entry = new Entry(hash, value);
        }

        return value;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
        return hash.ToHashCode();
    }

    private readonly record struct Entry(int Hash, string? Value);
}
