using System.Diagnostics;
using System.Text;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// What every <see cref="IMessageBus"/> adapter must do, with Kafka's semantics. Each test uses its own topic and
/// group names, so a shared broker works as well as a fresh bus per test.
/// </summary>
public abstract class BusConformanceTests
{
    /// <summary>A bound on waiting for a condition; a broker's group join may take seconds.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected static readonly DateTimeOffset BaseTime = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    /// <summary>Looking up offsets by timestamp (Kafka's ListOffsets by time).</summary>
    protected const string OffsetsByTime = "offsets by time";

    /// <summary>Describing a group's members and moving its offsets (Kafka's DescribeGroups and admin OffsetCommit).</summary>
    protected const string GroupAdministration = "group administration";

    /// <summary>A fresh bus for one test.</summary>
    protected abstract Task<IMessageBus> CreateBusAsync();

    /// <summary>Why the engine under test lacks <paramref name="feature"/>, or null when it has it (then the test runs).</summary>
    protected virtual string? Unsupported(string feature) => null;

    private void SkipUnless(string feature)
    {
        if (Unsupported(feature) is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static string UniqueName(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    protected static BusMessage Message(string value, string? key = null, int? partition = null, DateTimeOffset? timestamp = null) =>
        new(Encoding.UTF8.GetBytes(value))
        {
            // A bare null here would convert through byte[] to an empty key, not to "no key".
            Key = key is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(key),
            Partition = partition,
            Timestamp = timestamp,
        };

    protected static string ValueOf(ConsumedMessage message) => Encoding.UTF8.GetString(message.Value.Span);

    protected static async Task<string> CreateTopicAsync(IMessageBus bus, int partitions, string purpose = "topic")
    {
        var topic = UniqueName(purpose);
        await bus.EnsureTopicAsync(new TopicSpec(topic, partitions), Ct);
        return topic;
    }

    /// <summary>Consumes until <paramref name="count"/> messages arrived (failing after <see cref="Patience"/>).</summary>
    protected static async Task<List<ConsumedMessage>> ConsumeAtLeastAsync(IBusConsumer consumer, int count, bool commit = false)
    {
        var received = new List<ConsumedMessage>();
        var started = Stopwatch.GetTimestamp();
        while (received.Count < count)
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(Patience, $"{count} messages were expected, {received.Count} arrived");
            var batch = await consumer.ConsumeAsync(count - received.Count, TimeSpan.FromMilliseconds(500), Ct);
            received.AddRange(batch);
            if (commit && batch.Count > 0)
            {
                await consumer.CommitAsync(NextOffsets(batch), Ct);
            }
        }

        return received;
    }

    protected static IReadOnlyList<TopicPartitionOffset> NextOffsets(IEnumerable<ConsumedMessage> messages) =>
        [.. messages.GroupBy(m => (m.Topic, m.Partition)).Select(g => g.MaxBy(m => m.Offset)!.Next)];

    [Fact]
    public async Task Produced_messages_are_consumed_with_keys_headers_and_timestamps_intact_in_offset_order()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 1);
        BusMessage[] sent =
        [
            Message("first", key: "k1", timestamp: BaseTime) with { Headers = [new("source", Encoding.UTF8.GetBytes("web-01")), new("empty", Array.Empty<byte>())] },
            Message("second", timestamp: BaseTime.AddSeconds(1)),
            Message("", key: "", timestamp: BaseTime.AddSeconds(-5)) with { Headers = [new("tenant", Encoding.UTF8.GetBytes("acme"))] },
        ];
        await bus.ProduceAsync(topic, sent, Ct);
        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);

        var received = await ConsumeAtLeastAsync(consumer, sent.Length);

        received.Select(m => m.Offset).Should().Equal(0, 1, 2);
        received.Select(ValueOf).Should().Equal("first", "second", "");
        received.Select(m => m.Key is { } k ? Encoding.UTF8.GetString(k.Span) : null).Should().Equal("k1", null, "");
        received.Select(m => m.Timestamp).Should().Equal(BaseTime, BaseTime.AddSeconds(1), BaseTime.AddSeconds(-5));
        received[0].Headers.Select(h => h.Key).Should().Equal("source", "empty");
        received[0].Header("source").Should().Be("web-01");
        received[0].Header("empty").Should().BeEmpty();
        received[1].Headers.Should().BeEmpty();
        received[2].Header("tenant").Should().Be("acme");
        received.Should().OnlyContain(m => m.Topic == topic && m.Partition == 0);
    }

    [Fact]
    public async Task A_message_without_a_timestamp_is_stamped_with_the_append_time()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 1);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await bus.ProduceAsync(topic, [Message("now")], Ct);
        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);

        var received = await ConsumeAtLeastAsync(consumer, 1);

        received[0].Timestamp.Should().BeAfter(before).And.BeBefore(DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Offsets_start_at_zero_and_are_contiguous_in_every_partition()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 3);
        var positions = new List<TopicPartitionOffset>();
        for (var call = 0; call < 3; call++)
        {
            var batch = Enumerable.Range(0, 10).Select(i => Message($"m{call}-{i}", partition: i % 3)).ToArray();
            var produced = await bus.ProduceAsync(topic, batch, Ct);
            produced.Select(p => p.Partition).Should().Equal(batch.Select(m => m.Partition!.Value), "positions come back in input order");
            positions.AddRange(produced);
        }

        foreach (var partition in positions.GroupBy(p => p.Partition))
        {
            partition.Select(p => p.Offset).Should().Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i));
        }

        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);
        var received = await ConsumeAtLeastAsync(consumer, 30);
        foreach (var partition in received.GroupBy(m => m.Partition))
        {
            partition.Select(m => m.Offset).Should().Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i));
        }
    }

    [Fact]
    public async Task Messages_with_the_same_key_land_in_the_same_partition()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 4);
        var keys = Enumerable.Range(0, 8).Select(i => $"service-{i}").ToArray();
        var positions = new List<(string Key, int Partition)>();
        for (var round = 0; round < 3; round++)
        {
            var produced = await bus.ProduceAsync(topic, [.. keys.Select(k => Message($"{k}-{round}", key: k))], Ct);
            positions.AddRange(keys.Zip(produced, (k, p) => (k, p.Partition)));
        }

        positions.GroupBy(p => p.Key).Should().OnlyContain(g => g.Select(p => p.Partition).Distinct().Count() == 1);
    }

    /// <summary>
    /// Until both members hold partitions the group is rebalancing, and Kafka may deliver again what the first member
    /// read but could not commit before its partitions moved (at least once). Once the group is stable, nothing comes twice.
    /// </summary>
    [Fact]
    public async Task Two_members_of_a_group_split_the_partitions_and_together_receive_every_message_once()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 4);
        var group = UniqueName("group");
        await bus.ProduceAsync(topic, [.. Enumerable.Range(0, 200).Select(i => Message($"m{i}"))], Ct);
        await using var first = bus.Subscribe(group, [topic]);
        await using var second = bus.Subscribe(group, [topic]);

        var received = new List<ConsumedMessage>();
        var whileStable = new List<ConsumedMessage>();
        var started = Stopwatch.GetTimestamp();
        while (received.Select(ValueOf).Distinct().Count() < 200)
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(Patience);
            foreach (var member in new[] { first, second })
            {
                var stable = first.Assignment.Count > 0 && second.Assignment.Count > 0;
                var batch = await member.ConsumeAsync(50, TimeSpan.FromMilliseconds(200), Ct);
                if (batch.Count > 0)
                {
                    member.Assignment.Should().Contain(batch.Select(m => new TopicPartition(m.Topic, m.Partition)));
                    await member.CommitAsync(NextOffsets(batch), Ct);
                    received.AddRange(batch);
                    if (stable && first.Assignment.Count > 0 && second.Assignment.Count > 0)
                    {
                        whileStable.AddRange(batch);
                    }
                }
            }
        }

        received.Select(ValueOf).Distinct().Should().HaveCount(200, "every message arrives");
        whileStable.Select(ValueOf).Should().OnlyHaveUniqueItems("a stable group delivers each message to one member once");
        first.Assignment.Should().NotBeEmpty();
        second.Assignment.Should().NotBeEmpty();
        first.Assignment.Should().NotIntersectWith(second.Assignment);
        first.Assignment.Concat(second.Assignment).Should().HaveCount(4);
    }

    [Fact]
    public async Task A_new_member_resumes_after_the_committed_offsets()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 1);
        var group = UniqueName("group");
        await bus.ProduceAsync(topic, [.. Enumerable.Range(0, 10).Select(i => Message($"m{i}"))], Ct);
        await using (var first = bus.Subscribe(group, [topic]))
        {
            var received = await ConsumeAtLeastAsync(first, 10);
            await first.CommitAsync([received[5].Next], Ct);
        }

        (await bus.GetCommittedOffsetsAsync(group, topic, Ct)).Should().Equal(new TopicPartitionOffset(topic, 0, 6));
        await using var second = bus.Subscribe(group, [topic]);
        var resumed = await ConsumeAtLeastAsync(second, 4);

        resumed.Select(ValueOf).Should().Equal("m6", "m7", "m8", "m9");
    }

    [Fact]
    public async Task Uncommitted_messages_are_redelivered_after_the_member_leaves()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 2);
        var group = UniqueName("group");
        await bus.ProduceAsync(topic, [.. Enumerable.Range(0, 10).Select(i => Message($"m{i}"))], Ct);
        await using (var first = bus.Subscribe(group, [topic]))
        {
            (await ConsumeAtLeastAsync(first, 10)).Should().HaveCount(10);
        }

        await using var second = bus.Subscribe(group, [topic]);
        var redelivered = await ConsumeAtLeastAsync(second, 10);

        redelivered.Select(ValueOf).Should().BeEquivalentTo(Enumerable.Range(0, 10).Select(i => $"m{i}"));
    }

    [Fact]
    public async Task Seek_rereads_from_the_given_offset_without_moving_the_committed_offset()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 1);
        var group = UniqueName("group");
        await bus.ProduceAsync(topic, [.. Enumerable.Range(0, 5).Select(i => Message($"m{i}"))], Ct);
        await using var consumer = bus.Subscribe(group, [topic]);
        var received = await ConsumeAtLeastAsync(consumer, 5);
        await consumer.CommitAsync([received[^1].Next], Ct);

        consumer.Seek(new TopicPartitionOffset(topic, 0, 2));
        var reread = await ConsumeAtLeastAsync(consumer, 3);

        reread.Select(m => m.Offset).Should().Equal(2, 3, 4);
        (await bus.GetCommittedOffsetsAsync(group, topic, Ct)).Should().Equal(new TopicPartitionOffset(topic, 0, 5));
    }

    [Fact]
    public async Task Offsets_for_a_time_point_at_the_first_message_at_or_after_it()
    {
        SkipUnless(OffsetsByTime);
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 2);
        await bus.ProduceAsync(
            topic,
            [.. Enumerable.Range(0, 4).Select(i => Message($"m{i}", partition: 0, timestamp: BaseTime.AddMinutes(10 * i)))],
            Ct);

        async Task<long> OffsetAt(DateTimeOffset time, int partition) =>
            (await bus.GetOffsetsForTimeAsync(topic, time, Ct)).Single(p => p.Partition == partition).Offset;

        (await OffsetAt(BaseTime.AddHours(-1), 0)).Should().Be(0);
        (await OffsetAt(BaseTime.AddMinutes(10), 0)).Should().Be(1);
        (await OffsetAt(BaseTime.AddMinutes(15), 0)).Should().Be(2);
        (await OffsetAt(BaseTime.AddHours(1), 0)).Should().Be(4, "no message is that new, so the high watermark");
        (await OffsetAt(BaseTime, 1)).Should().Be(0, "an empty partition answers its high watermark");
    }

    [Fact]
    public async Task Watermarks_give_the_first_held_and_the_next_offset_of_each_partition()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 2);
        await bus.ProduceAsync(topic, [Message("a", partition: 0), Message("b", partition: 0), Message("c", partition: 0)], Ct);

        var watermarks = await bus.GetWatermarksAsync(topic, Ct);

        watermarks.OrderBy(w => w.Partition).Should().Equal(
            new PartitionWatermark(topic, 0, 0, 3),
            new PartitionWatermark(topic, 1, 0, 0));
    }

    [Fact]
    public async Task Setting_committed_offsets_is_refused_with_a_live_member_and_honoured_without()
    {
        SkipUnless(GroupAdministration);
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 1);
        var group = UniqueName("group");
        await bus.ProduceAsync(topic, [.. Enumerable.Range(0, 5).Select(i => Message($"m{i}"))], Ct);
        var member = bus.Subscribe(group, [topic]);
        await ConsumeAtLeastAsync(member, 5, commit: true);

        var whileLive = () => bus.SetCommittedOffsetsAsync(group, [new TopicPartitionOffset(topic, 0, 1)], Ct);
        await whileLive.Should().ThrowAsync<BusException>();
        await member.DisposeAsync();

        await bus.SetCommittedOffsetsAsync(group, [new TopicPartitionOffset(topic, 0, 3)], Ct);

        (await bus.GetCommittedOffsetsAsync(group, topic, Ct)).Should().Equal(new TopicPartitionOffset(topic, 0, 3));
        await using var replaying = bus.Subscribe(group, [topic]);
        (await ConsumeAtLeastAsync(replaying, 2)).Select(ValueOf).Should().Equal("m3", "m4");
    }

    [Fact]
    public async Task Ensuring_a_topic_is_idempotent_and_another_partition_count_is_refused()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 3);
        await bus.ProduceAsync(topic, [Message("kept", partition: 2)], Ct);

        await bus.EnsureTopicAsync(new TopicSpec(topic, 3), Ct);
        var mismatch = () => bus.EnsureTopicAsync(new TopicSpec(topic, 5), Ct);

        await mismatch.Should().ThrowAsync<BusException>().WithMessage($"*{topic}*");
        (await bus.GetWatermarksAsync(topic, Ct)).Should().HaveCount(3).And.Contain(new PartitionWatermark(topic, 2, 0, 1));
    }

    [Fact]
    public async Task Producing_to_or_consuming_from_an_unknown_topic_is_refused()
    {
        await using var bus = await CreateBusAsync();
        var missing = UniqueName("missing");

        var produce = () => bus.ProduceAsync(missing, [Message("lost")], Ct);
        var consume = async () =>
        {
            await using var consumer = bus.Subscribe(UniqueName("group"), [missing]);
            await consumer.ConsumeAsync(1, TimeSpan.FromSeconds(5), Ct);
        };

        await produce.Should().ThrowAsync<BusException>().WithMessage($"*{missing}*");
        await consume.Should().ThrowAsync<BusException>().WithMessage($"*{missing}*");
    }

    [Fact]
    public async Task A_paused_partition_delivers_nothing_until_resumed_and_then_continues_where_it_stopped()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 2);
        await bus.ProduceAsync(topic, [Message("a0", partition: 0), Message("b0", partition: 1)], Ct);
        await using var member = bus.Subscribe(UniqueName("group"), [topic]);
        (await ConsumeAtLeastAsync(member, 2)).Select(ValueOf).Should().BeEquivalentTo("a0", "b0");

        member.Pause([new TopicPartition(topic, 0)]);
        await bus.ProduceAsync(topic, [Message("a1", partition: 0), Message("b1", partition: 1)], Ct);
        (await ConsumeAtLeastAsync(member, 1)).Select(ValueOf).Should().Equal("b1");
        (await member.ConsumeAsync(10, TimeSpan.FromSeconds(1), Ct)).Should().BeEmpty("partition 0 is paused");

        member.Resume([new TopicPartition(topic, 0)]);
        (await ConsumeAtLeastAsync(member, 1)).Select(ValueOf).Should().Equal("a1");
    }

    [Fact]
    public async Task Consuming_with_nothing_to_read_returns_empty_after_the_wait()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 2);
        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);

        var received = await consumer.ConsumeAsync(10, TimeSpan.FromMilliseconds(300), Ct);

        received.Should().BeEmpty();
    }

    [Fact]
    public async Task A_waiting_consumer_returns_as_soon_as_a_message_arrives()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 1);
        await using var consumer = bus.Subscribe(UniqueName("group"), [topic]);
        await consumer.ConsumeAsync(1, TimeSpan.FromMilliseconds(100), Ct);
        var started = Stopwatch.GetTimestamp();

        var waiting = consumer.ConsumeAsync(10, Patience * 2, Ct).AsTask();
        await bus.ProduceAsync(topic, [Message("wake up")], Ct);
        var received = await waiting;

        received.Select(ValueOf).Should().Equal("wake up");
        Stopwatch.GetElapsedTime(started).Should().BeLessThan(Patience * 2, "the consumer must not wait out its full wait time");
    }

    [Fact]
    public async Task Rebalance_handlers_are_invoked_and_assigned_start_positions_are_honoured()
    {
        await using var bus = await CreateBusAsync();
        var topic = await CreateTopicAsync(bus, 2);
        var group = UniqueName("group");
        await bus.ProduceAsync(topic, [.. Enumerable.Range(0, 10).Select(i => Message($"p{i % 2}-{i / 2}", partition: i % 2))], Ct);
        var assigned = new List<IReadOnlyCollection<TopicPartition>>();
        var revoked = new List<IReadOnlyCollection<TopicPartition>>();
        var handlers = new RebalanceHandlers
        {
            Assigned = partitions =>
            {
                assigned.Add([.. partitions]);
                return [.. partitions.Where(p => p.Partition == 0).Select(p => new TopicPartitionOffset(p.Topic, p.Partition, 3))];
            },
            Revoked = partitions => revoked.Add([.. partitions]),
        };
        await using var first = bus.Subscribe(group, [topic], handlers);

        var received = await ConsumeAtLeastAsync(first, 7, commit: true);

        assigned.Should().ContainSingle().Which.Should().HaveCount(2);
        received.Where(m => m.Partition == 0).Select(m => m.Offset).Should().Equal(3, 4);
        received.Where(m => m.Partition == 1).Select(m => m.Offset).Should().Equal(0, 1, 2, 3, 4);

        await using var second = bus.Subscribe(group, [topic]);
        var started = Stopwatch.GetTimestamp();
        while (assigned.Count < 2 || first.Assignment.Count != 1 || second.Assignment.Count != 1)
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(Patience, "the group should rebalance onto both members");
            await first.ConsumeAsync(10, TimeSpan.FromMilliseconds(100), Ct);
            await second.ConsumeAsync(10, TimeSpan.FromMilliseconds(100), Ct);
        }

        revoked.Should().NotBeEmpty();
        revoked[0].Should().HaveCount(2);
        assigned[^1].Should().ContainSingle();
    }
}
