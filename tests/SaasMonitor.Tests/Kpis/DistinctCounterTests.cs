using SaasMonitor.Core.Kpis;

namespace SaasMonitor.Tests.Kpis;

public sealed class DistinctCounterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(700)]
    [InlineData(DistinctCounter.ExactLimit)]
    public void Counts_are_exact_up_to_the_exact_limit(int distinct)
    {
        var counter = Build(0, distinct);
        for (var i = 0; i < distinct; i += 3)
        {
            counter.Add($"user-{i}");
        }

        counter.Estimate().Should().Be(distinct);
    }

    [Theory]
    [InlineData(2_000)]
    [InlineData(20_000)]
    [InlineData(100_000)]
    public void Large_counts_are_within_three_percent(int distinct)
    {
        var counter = Build(0, distinct);

        counter.Estimate().Should().BeCloseTo(distinct, (uint)(distinct * 0.03));
    }

    [Fact]
    public void Merging_exact_counters_counts_shared_values_once()
    {
        var first = Build(0, 600);
        first.Merge(Build(300, 900));

        first.Estimate().Should().Be(900);
    }

    [Fact]
    public void Merging_large_counters_counts_the_union()
    {
        var first = Build(0, 60_000);
        first.Merge(Build(40_000, 100_000));
        first.Merge(Build(99_500, 100_500));

        first.Estimate().Should().BeCloseTo(100_500, 3_015);
    }

    [Fact]
    public void Merging_an_exact_counter_into_a_large_one_adds_its_values()
    {
        var small = Build(0, 1_000);
        small.Merge(Build(1_000, 50_000));

        small.Estimate().Should().BeCloseTo(50_000, 1_500);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(30_000)]
    public void Bytes_round_trip_to_the_same_counter(int distinct)
    {
        var counter = Build(0, distinct);

        var bytes = counter.ToBytes();
        var restored = DistinctCounter.FromBytes(bytes);

        restored.Estimate().Should().Be(counter.Estimate());
        restored.ToBytes().Should().Equal(bytes);
        restored.Add("someone-new");
        restored.Estimate().Should().BeGreaterThanOrEqualTo(counter.Estimate());
    }

    private static DistinctCounter Build(int from, int to)
    {
        var counter = new DistinctCounter();
        for (var i = from; i < to; i++)
        {
            counter.Add($"user-{i}");
        }

        return counter;
    }
}
