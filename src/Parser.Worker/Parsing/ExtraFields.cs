using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Parser.Worker.Parsing;

/// <summary>
/// The read-only map behind <see cref="SaasMonitor.Core.Events.LogEvent.Extra"/>: a handful of pairs looked up
/// linearly, which costs far less per event than a hash table for the few fields a record carries. The first
/// <see cref="InlinePairs"/> pairs live inside this object, so the usual event carries one object for its extra
/// fields, not two (fewer objects for the garbage collector to trace and move while a batch is kept).
/// </summary>
internal sealed class ExtraFields : IReadOnlyDictionary<string, string>
{
    private const int InlinePairs = 2;

    private readonly Pairs _inline;
    private readonly KeyValuePair<string, string>[]? _more;

    private ExtraFields(List<KeyValuePair<string, string>> pairs)
    {
        Count = pairs.Count;
        for (var i = 0; i < Math.Min(Count, InlinePairs); i++)
        {
            _inline[i] = pairs[i];
        }

        if (Count > InlinePairs)
        {
            _more = new KeyValuePair<string, string>[Count - InlinePairs];
            pairs.CopyTo(InlinePairs, _more, 0, _more.Length);
        }
    }

    /// <summary>A copy of <paramref name="pairs"/> (keys distinct).</summary>
    public static ExtraFields Of(List<KeyValuePair<string, string>> pairs) => new(pairs);

    public int Count { get; }

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No extra field '{key}'.");

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<string> Values => this.Select(p => p.Value);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        for (var i = 0; i < Count; i++)
        {
            var pair = At(i);
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return At(i);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private KeyValuePair<string, string> At(int i) => i < InlinePairs ? _inline[i] : _more![i - InlinePairs];

    [InlineArray(InlinePairs)]
    private struct Pairs
    {
        private KeyValuePair<string, string> _first;
    }
}
