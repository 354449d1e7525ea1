using System.Globalization;
using System.Text;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>
/// A consumer group: its live in-process members, their range assignment (recomputed, with a new generation,
/// whenever a member joins or leaves) and its committed offsets, persisted as a whole file replaced atomically.
/// </summary>
internal sealed class ConsumerGroup
{
    private readonly Lock _gate = new();
    private readonly List<JournalConsumer> _members = [];
    private readonly Dictionary<JournalConsumer, TopicPartition[]> _assignments = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly string _path;
    private readonly bool _flushToDisk;
    private int _generation;

    public ConsumerGroup(string directory, string id, bool flushToDisk)
    {
        Id = id;
        _flushToDisk = flushToDisk;
        _path = Path.Combine(directory, FileNameOf(id));
        if (File.Exists(_path))
        {
            foreach (var line in File.ReadAllLines(_path))
            {
                var fields = line.Split('\t');
                _committed[new TopicPartition(fields[0], int.Parse(fields[1], CultureInfo.InvariantCulture))] = long.Parse(fields[2], CultureInfo.InvariantCulture);
            }
        }
    }

    public string Id { get; }

    /// <summary>Pulsed when the assignment changes, so waiting members pick it up at once.</summary>
    public Signal Rebalanced { get; } = new();

    public void Join(JournalConsumer member)
    {
        lock (_gate)
        {
            _members.Add(member);
            Rebalance();
        }

        Rebalanced.Pulse();
    }

    public void Leave(JournalConsumer member)
    {
        lock (_gate)
        {
            if (!_members.Remove(member))
            {
                return;
            }

            Rebalance();
        }

        Rebalanced.Pulse();
    }

    public (int Generation, TopicPartition[] Partitions) AssignmentOf(JournalConsumer member)
    {
        lock (_gate)
        {
            return (_generation, _assignments.GetValueOrDefault(member, []));
        }
    }

    public long? CommittedOffset(TopicPartition partition)
    {
        lock (_gate)
        {
            return _committed.TryGetValue(partition, out var offset) ? offset : null;
        }
    }

    public IReadOnlyList<TopicPartitionOffset> CommittedOffsets(string topic)
    {
        lock (_gate)
        {
            return [.. _committed
                .Where(entry => entry.Key.Topic == topic)
                .Select(entry => new TopicPartitionOffset(topic, entry.Key.Partition, entry.Value))
                .OrderBy(offset => offset.Partition)];
        }
    }

    /// <summary>Commits the offsets of partitions the member owns in the current generation; others are ignored.</summary>
    public void Commit(JournalConsumer member, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            var owned = _assignments.GetValueOrDefault(member, []);
            var changed = false;
            foreach (var offset in offsets)
            {
                if (Array.IndexOf(owned, offset.TopicPartition) >= 0)
                {
                    _committed[offset.TopicPartition] = offset.Offset;
                    changed = true;
                }
            }

            if (changed)
            {
                Save();
            }
        }
    }

    public void SetCommitted(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            if (_members.Count > 0)
            {
                throw new BusException($"Consumer group '{Id}' has {_members.Count} live member(s); stop them before moving its committed offsets.");
            }

            foreach (var offset in offsets)
            {
                _committed[offset.TopicPartition] = offset.Offset;
            }

            Save();
        }
    }

    /// <summary>Range assignment per topic: each subscribed member, in join order, takes a contiguous run of partitions.</summary>
    private void Rebalance()
    {
        _generation++;
        var owned = _members.ToDictionary(member => member, _ => new List<TopicPartition>());
        foreach (var topic in _members.SelectMany(member => member.Topics).DistinctBy(topic => topic.Spec.Name))
        {
            var subscribers = _members.Where(member => member.Topics.Contains(topic)).ToArray();
            var share = topic.Partitions.Length / subscribers.Length;
            var extra = topic.Partitions.Length % subscribers.Length;
            var next = 0;
            for (var i = 0; i < subscribers.Length; i++)
            {
                var count = share + (i < extra ? 1 : 0);
                for (var p = next; p < next + count; p++)
                {
                    owned[subscribers[i]].Add(new TopicPartition(topic.Spec.Name, p));
                }

                next += count;
            }
        }

        _assignments.Clear();
        foreach (var (member, partitions) in owned)
        {
            _assignments[member] = [.. partitions];
        }
    }

    private void Save()
    {
        var content = new StringBuilder();
        foreach (var (partition, offset) in _committed.OrderBy(entry => entry.Key.Topic, StringComparer.Ordinal).ThenBy(entry => entry.Key.Partition))
        {
            content.Append(CultureInfo.InvariantCulture, $"{partition.Topic}\t{partition.Partition}\t{offset}\n");
        }

        AtomicFile.Write(_path, Encoding.UTF8.GetBytes(content.ToString()), _flushToDisk);
    }

    /// <summary>A file name for any group id: letters, digits, '-', '_' and '.' kept, other UTF-8 bytes as %XX.</summary>
    private static string FileNameOf(string id)
    {
        var name = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.')
            {
                name.Append((char)b);
            }
            else
            {
                name.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return name.Append(".offsets").ToString();
    }
}
