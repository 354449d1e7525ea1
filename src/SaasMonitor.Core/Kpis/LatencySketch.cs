using System.Buffers.Binary;

namespace SaasMonitor.Core.Kpis;

/// <summary>
/// A mergeable response-time distribution (DDSketch-style logarithmic buckets).
/// Every quantile it returns is within <see cref="RelativeAccuracy"/> (1%) relative error of the
/// exact quantile of the values added, whatever their spread; merging sketches loses nothing.
/// Values are milliseconds; values below <see cref="MinTrackedMs"/> (one microsecond) count as zero.
/// </summary>
public sealed class LatencySketch
{
    public const double RelativeAccuracy = 0.01;

    /// <summary>Smaller values (including zero and negatives) are kept in one zero bucket.</summary>
    public const double MinTrackedMs = 0.001;

    private const byte FormatVersion = 1;
    private const int GrowthSlack = 16;
    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double InverseLogGamma = 1 / Math.Log(Gamma);

    // Bucket i holds values in (Gamma^(i-1), Gamma^i]; _counts[j] is bucket _firstIndex + j.
    private long[] _counts = [];
    private int _firstIndex;
    private long _zeroCount;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    public long Count { get; private set; }

    public void Add(double valueMs)
    {
        if (double.IsNaN(valueMs))
        {
            return;
        }

        if (valueMs < MinTrackedMs)
        {
            valueMs = Math.Max(valueMs, 0);
            _zeroCount++;
        }
        else
        {
            AddToBucket(IndexOf(valueMs), 1);
        }

        Count++;
        _min = Math.Min(_min, valueMs);
        _max = Math.Max(_max, valueMs);
    }

    public void Merge(LatencySketch other)
    {
        if (other.Count == 0)
        {
            return;
        }

        for (var j = 0; j < other._counts.Length; j++)
        {
            if (other._counts[j] != 0)
            {
                AddToBucket(other._firstIndex + j, other._counts[j]);
            }
        }

        _zeroCount += other._zeroCount;
        Count += other.Count;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    /// <summary>The value at rank <c>q × (Count − 1)</c>, within 1% relative error; NaN when empty.</summary>
    public double Quantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = q * (Count - 1);
        var seen = _zeroCount;
        if (seen > rank)
        {
            return Math.Max(_min, 0);
        }

        for (var j = 0; j < _counts.Length; j++)
        {
            seen += _counts[j];
            if (seen > rank)
            {
                var estimate = 2 * Math.Pow(Gamma, _firstIndex + j) / (Gamma + 1);
                return Math.Clamp(estimate, _min, _max);
            }
        }

        return _max;
    }

    /// <summary>Values below <see cref="MinTrackedMs"/>, kept apart from the buckets.</summary>
    public long ZeroCount => _zeroCount;

    /// <summary>The smallest value added; +∞ when empty.</summary>
    public double Min => _min;

    /// <summary>The largest value added; −∞ when empty.</summary>
    public double Max => _max;

    /// <summary>The non-empty buckets: bucket <c>Key</c> holds <c>Value</c> values in (γ^(Key−1), γ^Key], γ = 1.02/0.98.</summary>
    public IEnumerable<KeyValuePair<int, long>> Buckets
    {
        get
        {
            for (var j = 0; j < _counts.Length; j++)
            {
                if (_counts[j] != 0)
                {
                    yield return new(_firstIndex + j, _counts[j]);
                }
            }
        }
    }

    /// <summary>The sketch with these parts (as <see cref="ZeroCount"/>, <see cref="Min"/>, <see cref="Max"/> and <see cref="Buckets"/> give them), e.g. as a store summed them.</summary>
    public static LatencySketch FromBuckets(long zeroCount, double min, double max, IEnumerable<KeyValuePair<int, long>> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var sketch = new LatencySketch { _zeroCount = zeroCount, Count = zeroCount };
        foreach (var (index, count) in buckets)
        {
            sketch.AddToBucket(index, count);
            sketch.Count += count;
        }

        if (sketch.Count > 0)
        {
            sketch._min = min;
            sketch._max = max;
        }

        return sketch;
    }

    /// <summary>Compact encoding: totals, min/max, then the non-empty buckets as delta-coded varints.</summary>
    public byte[] ToBytes()
    {
        var nonEmpty = 0;
        foreach (var c in _counts)
        {
            if (c != 0)
            {
                nonEmpty++;
            }
        }

        var buffer = new byte[1 + (3 * VarInt.MaxLength) + 16 + (nonEmpty * 2 * VarInt.MaxLength)];
        var span = buffer.AsSpan();
        var at = 0;
        span[at++] = FormatVersion;
        at += VarInt.Write(span[at..], (ulong)Count);
        if (Count > 0)
        {
            at += VarInt.Write(span[at..], (ulong)_zeroCount);
            BinaryPrimitives.WriteDoubleLittleEndian(span[at..], _min);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 8)..], _max);
            at += 16;
            at += VarInt.Write(span[at..], (ulong)nonEmpty);
            var previous = 0;
            for (var j = 0; j < _counts.Length; j++)
            {
                if (_counts[j] != 0)
                {
                    var index = _firstIndex + j;
                    at += VarInt.WriteSigned(span[at..], index - previous);
                    at += VarInt.Write(span[at..], (ulong)_counts[j]);
                    previous = index;
                }
            }
        }

        return span[..at].ToArray();
    }

    public static LatencySketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes[0] != FormatVersion)
        {
            throw new FormatException("Not a latency sketch encoding.");
        }

        var sketch = new LatencySketch();
        var at = 1;
        var count = (long)VarInt.Read(bytes, ref at);
        if (count == 0)
        {
            return sketch;
        }

        sketch._zeroCount = (long)VarInt.Read(bytes, ref at);
        if (bytes.Length < at + 16)
        {
            throw new FormatException("Truncated latency sketch.");
        }

        sketch._min = BinaryPrimitives.ReadDoubleLittleEndian(bytes[at..]);
        sketch._max = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(at + 8)..]);
        at += 16;
        var nonEmpty = (int)VarInt.Read(bytes, ref at);
        var index = 0;
        for (var i = 0; i < nonEmpty; i++)
        {
            index += (int)VarInt.ReadSigned(bytes, ref at);
            sketch.AddToBucket(index, (long)VarInt.Read(bytes, ref at));
        }

        sketch.Count = count;
        return sketch;
    }

    private static int IndexOf(double valueMs) => (int)Math.Ceiling(Math.Log(valueMs) * InverseLogGamma);

    private void AddToBucket(int index, long count)
    {
        if (_counts.Length == 0)
        {
            _counts = new long[GrowthSlack];
            _firstIndex = index - (GrowthSlack / 2);
        }
        else if (index < _firstIndex || index >= _firstIndex + _counts.Length)
        {
            Grow(index);
        }

        _counts[index - _firstIndex] += count;
    }

    private void Grow(int index)
    {
        var first = Math.Min(_firstIndex, index - GrowthSlack);
        var end = Math.Max(_firstIndex + _counts.Length, index + GrowthSlack + 1);
        var grown = new long[end - first];
        _counts.CopyTo(grown.AsSpan(_firstIndex - first));
        _counts = grown;
        _firstIndex = first;
    }
}
