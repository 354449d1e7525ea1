using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Reading the events topic's JSON back into events, as the indexer (every field) and the aggregator (no message,
/// raw line or extra fields) do: the source-generated serializer (the baseline) against <see cref="LogEventReader"/>.
/// Mean is per event over <see cref="Events"/> realistic events.
/// </summary>
[MemoryDiagnoser]
public class EventReadBenchmarks
{
    private const int Events = 1_000;

    private byte[][] _json = [];

    [GlobalSetup]
    public void WriteEvents() =>
        _json = [.. BenchmarkEvents.Generate(Events, new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1))
            .Select(e => JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event))];

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public int Serializer()
    {
        var sum = 0;
        foreach (var json in _json)
        {
            sum += JsonSerializer.Deserialize(json, LogEventJson.Event)!.Message.Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int Reader()
    {
        var sum = 0;
        foreach (var json in _json)
        {
            sum += LogEventReader.Read(json).Message.Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int Reader_without_text()
    {
        var sum = 0;
        foreach (var json in _json)
        {
            sum += LogEventReader.Read(json, withText: false).Level.Length;
        }

        return sum;
    }
}
