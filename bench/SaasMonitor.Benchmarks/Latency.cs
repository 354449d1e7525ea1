using System.Diagnostics;

namespace SaasMonitor.Benchmarks;

/// <summary>The latency of an operation run again and again after one warm-up run.</summary>
internal static class Latency
{
    /// <summary>The median and 99th percentile, in milliseconds, of <paramref name="runs"/> runs.</summary>
    public static async Task<(double P50, double P99)> MeasureAsync<T>(int runs, Func<Task<T>> run)
    {
        await run();
        var times = new double[runs];
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.GetTimestamp();
            await run();
            times[r] = Stopwatch.GetElapsedTime(sw).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[runs / 2], times[(int)(runs * 0.99)]);
    }
}
