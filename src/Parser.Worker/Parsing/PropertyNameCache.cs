namespace Parser.Worker.Parsing;

/// <summary>
/// Resolves JSON property names to their <see cref="FieldKind"/> and interned name. The records of one stream
/// nearly always carry the same keys in the same order, so the key at position i of an object is first compared,
/// byte for byte, with the key last seen at position i; only a different key is looked up and interned again.
/// </summary>
internal sealed class PropertyNameCache
{
    private const int Positions = 64;
    private const int LongestCachedKey = 128;

    private readonly Slot[] _slots = new Slot[Positions];

    public FieldKind Resolve(int position, ReadOnlySpan<byte> key, EventBuilder builder, out string name)
    {
        if (position >= Positions || key.Length > LongestCachedKey)
        {
            name = builder.Keyword(key);
            return FieldNames.Lookup(key);
        }

        var slot = _slots[position] ??= new Slot();
        if (!key.SequenceEqual(slot.Key))
        {
            slot.Remember(key, FieldNames.Lookup(key), builder.Keyword(key));
        }

        name = slot.Name;
        return slot.Kind;
    }

    private sealed class Slot
    {
        private readonly byte[] _key = new byte[LongestCachedKey];
        private int _length;

        // A new slot holds the empty key, whose kind and name are exactly these defaults.
        public ReadOnlySpan<byte> Key => _key.AsSpan(0, _length);
        public FieldKind Kind { get; private set; } = FieldKind.Extra;
        public string Name { get; private set; } = "";

        public void Remember(ReadOnlySpan<byte> key, FieldKind kind, string name)
        {
            key.CopyTo(_key);
            _length = key.Length;
            Kind = kind;
            Name = name;
        }
    }
}
