using System.Diagnostics;
using System.Runtime.CompilerServices;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Hosting.DeadLetters;

/// <summary>Offsets [<see cref="From"/>, <see cref="To"/>) of a partition.</summary>
public readonly record struct OffsetRange(long From, long To);

/// <summary>
/// Reads ranges of a topic without moving any group's offsets: as a throwaway group that never commits,
/// starting where asked and stopping at each range's end.
/// </summary>
public static class TopicReader
{
    /// <summary>A partition that yields nothing this long is taken as read to its end (Kafka may leave offset gaps).</summary>
    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(15);

    /// <summary>Batches of the messages in <paramref name="ranges"/>; each partition's messages in offset order.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<ConsumedMessage>> ReadAsync(
        IMessageBus bus, string topic, IReadOnlyDictionary<int, OffsetRange> ranges, [EnumeratorCancellation] CancellationToken ct)
    {
        var open = ranges.Where(r => r.Value.From < r.Value.To).Select(r => r.Key).ToHashSet();
        if (open.Count == 0)
        {
            yield break;
        }

        var consumer = bus.Subscribe($"saasmon-reader-{Guid.NewGuid():N}", [topic], new RebalanceHandlers
        {
            Assigned = assigned => [.. assigned.Where(p => ranges.ContainsKey(p.Partition)).Select(p => new TopicPartitionOffset(topic, p.Partition, ranges[p.Partition].From))],
        });
        await using (consumer.ConfigureAwait(false))
        {
            var lastRead = Stopwatch.GetTimestamp();
            while (open.Count > 0 && Stopwatch.GetElapsedTime(lastRead) < IdleLimit)
            {
                var batch = await consumer.ConsumeAsync(1000, TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
                consumer.Pause([.. consumer.Assignment.Where(p => !open.Contains(p.Partition))]);
                var wanted = new List<ConsumedMessage>(batch.Count);
                foreach (var m in batch)
                {
                    if (!open.Contains(m.Partition))
                    {
                        continue;
                    }

                    var end = ranges[m.Partition].To;
                    if (m.Offset < end)
                    {
                        wanted.Add(m);
                    }

                    if (m.Offset + 1 >= end)
                    {
                        open.Remove(m.Partition);
                    }
                }

                if (batch.Count > 0)
                {
                    lastRead = Stopwatch.GetTimestamp();
                }

                if (wanted.Count > 0)
                {
                    yield return wanted;
                }
            }
        }
    }
}
