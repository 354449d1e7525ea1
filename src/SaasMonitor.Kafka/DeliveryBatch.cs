using Confluent.Kafka;
using SaasMonitor.Core.Bus;
using BusPartitionOffset = SaasMonitor.Core.Bus.TopicPartitionOffset;

namespace SaasMonitor.Kafka;

/// <summary>Collects the delivery reports of one produced batch; completes once every message is acknowledged or failed.</summary>
internal sealed class DeliveryBatch
{
    private readonly string _topic;
    private readonly BusPartitionOffset[] _positions;
    private readonly TaskCompletionSource<IReadOnlyList<BusPartitionOffset>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private Error? _failure;

    public DeliveryBatch(string topic, int count)
    {
        _topic = topic;
        _positions = new BusPartitionOffset[count];
        _pending = count;
    }

    /// <summary>Positions in input order once all are acknowledged; a <see cref="BusException"/> naming the topic if any failed.</summary>
    public Task<IReadOnlyList<BusPartitionOffset>> Completion => _completion.Task;

    public Action<DeliveryReport<byte[]?, byte[]>> HandlerFor(int index) => report => Delivered(index, report);

    private void Delivered(int index, DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _failure, report.Error, null);
        }
        else
        {
            _positions[index] = new BusPartitionOffset(_topic, report.Partition.Value, report.Offset.Value);
        }

        if (Interlocked.Decrement(ref _pending) > 0)
        {
            return;
        }

        if (_failure is { } failure)
        {
            _completion.SetException(new BusException($"Kafka did not acknowledge messages for topic '{_topic}': {failure.Reason}"));
        }
        else
        {
            _completion.SetResult(_positions);
        }
    }
}
