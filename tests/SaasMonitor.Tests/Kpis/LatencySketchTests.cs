using SaasMonitor.Core.Kpis;

namespace SaasMonitor.Tests.Kpis;

public sealed class LatencySketchTests
{
    private static readonly double[] Quantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    [Theory]
    [InlineData(120, 0.9)]
    [InlineData(3, 2.5)]
    [InlineData(5_000, 0.3)]
    public void Quantiles_are_within_one_percent_of_the_exact_quantiles(double medianMs, double sigma)
    {
        var values = KpiTestEvents.ResponseTimes(100_000, seed: 7, medianMs, sigma);
        var sketch = Build(values);
        Array.Sort(values);

        sketch.Count.Should().Be(values.Length);
        foreach (var q in Quantiles)
        {
            var exact = KpiTestEvents.ExactQuantile(values, q);
            sketch.Quantile(q).Should().BeApproximately(exact, (exact * LatencySketch.RelativeAccuracy) + 1e-9, $"q={q}");
        }
    }

    [Fact]
    public void Zero_and_sub_microsecond_values_count_as_zero()
    {
        var sketch = Build([0, 0.0000001, -1, 10, 20]);

        sketch.Count.Should().Be(5);
        sketch.Quantile(0).Should().Be(0);
        sketch.Quantile(0.5).Should().Be(0);
        sketch.Quantile(1).Should().BeApproximately(20, 0.2);
    }

    [Fact]
    public void An_empty_sketch_has_no_quantiles()
    {
        var sketch = new LatencySketch();

        sketch.Quantile(0.5).Should().Be(double.NaN);
        LatencySketch.FromBytes(sketch.ToBytes()).Count.Should().Be(0);
    }

    [Fact]
    public void Merging_two_sketches_equals_the_sketch_of_all_values()
    {
        var first = KpiTestEvents.ResponseTimes(20_000, seed: 1, medianMs: 50);
        var second = KpiTestEvents.ResponseTimes(30_000, seed: 2, medianMs: 400, sigma: 1.5);

        var merged = Build(first);
        merged.Merge(Build(second));
        var whole = Build([.. first, .. second]);

        merged.Count.Should().Be(50_000);
        merged.ToBytes().Should().Equal(whole.ToBytes());
        foreach (var q in Quantiles)
        {
            merged.Quantile(q).Should().Be(whole.Quantile(q));
        }
    }

    [Fact]
    public void Bytes_round_trip_to_the_same_sketch_and_stay_compact()
    {
        var sketch = Build(KpiTestEvents.ResponseTimes(100_000, seed: 3));
        sketch.Add(0);

        var bytes = sketch.ToBytes();
        var restored = LatencySketch.FromBytes(bytes);

        restored.Count.Should().Be(sketch.Count);
        restored.ToBytes().Should().Equal(bytes);
        foreach (var q in Quantiles)
        {
            restored.Quantile(q).Should().Be(sketch.Quantile(q));
        }

        // A few hundred occupied buckets at a few bytes each, not one slot per value.
        bytes.Length.Should().BeLessThan(2_000);
    }

    [Fact]
    public void A_sketch_rebuilt_from_its_parts_or_from_the_sums_of_two_sketches_parts_is_the_same_sketch()
    {
        var (first, second) = (Build(KpiTestEvents.ResponseTimes(5_000, seed: 4)), Build(KpiTestEvents.ResponseTimes(5_000, seed: 5, medianMs: 0.5)));
        second.Add(0);
        var merged = Build(KpiTestEvents.ResponseTimes(5_000, seed: 4));
        merged.Merge(second);

        LatencySketch.FromBuckets(first.ZeroCount, first.Min, first.Max, first.Buckets).ToBytes().Should().Equal(first.ToBytes());
        var summed = first.Buckets.Concat(second.Buckets).GroupBy(b => b.Key).Select(g => KeyValuePair.Create(g.Key, g.Sum(b => b.Value)));
        var rebuilt = LatencySketch.FromBuckets(first.ZeroCount + second.ZeroCount, Math.Min(first.Min, second.Min), Math.Max(first.Max, second.Max), summed);
        rebuilt.ToBytes().Should().Equal(merged.ToBytes());
        LatencySketch.FromBuckets(0, 0, 0, []).ToBytes().Should().Equal(new LatencySketch().ToBytes());
    }

    [Fact]
    public void Bytes_that_are_not_a_sketch_are_refused()
    {
        var act = () => LatencySketch.FromBytes([42, 1, 2]);

        act.Should().Throw<FormatException>();
    }

    private static LatencySketch Build(IEnumerable<double> values)
    {
        var sketch = new LatencySketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }

        return sketch;
    }
}
