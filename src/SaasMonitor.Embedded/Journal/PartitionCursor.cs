using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>A member's read position in one partition, with the chunk it is reading through.</summary>
internal sealed class PartitionCursor(PartitionLog log, long next)
{
    private const int ChunkBytes = 64 * 1024;
    private readonly SegmentReader _reader = new(ChunkBytes, reuseBuffer: false);
    private readonly List<ConsumedMessage> _decoded = [];
    private int _decodedTaken;
    private Segment? _segment;

    public TopicPartition TopicPartition { get; } = new(log.Topic, log.Partition);

    public void Seek(long offset)
    {
        next = offset;
        _segment = null;
        _decoded.Clear();
        _decodedTaken = 0;
    }

    /// <summary>Adds messages from the read position, in offset order, until <paramref name="output"/> holds <paramref name="max"/> or nothing more is written.</summary>
    public void ReadInto(List<ConsumedMessage> output, int max)
    {
        if (next < log.Low)
        {
            // Retention deleted what this member had not read yet: continue from the oldest record held.
            Seek(log.Low);
        }

        TakeDecoded(output, max);
        while (output.Count < max && next < log.High)
        {
            if (_segment is null)
            {
                (_segment, var position) = log.Locate(next);
                _reader.Reset(position);
            }

            var segment = _segment;
            if (!segment.TryAcquire())
            {
                ObjectDisposedException.ThrowIf(log.IsClosed, log);
                Seek(Math.Max(next, log.Low));
                continue;
            }

            try
            {
                var limit = segment.Length;
                while (output.Count < max)
                {
                    var position = _reader.Position;
                    var status = _reader.TryRead(segment.File, limit, out var start);
                    if (status == ReadStatus.End)
                    {
                        if (segment.Length > limit)
                        {
                            limit = segment.Length;
                            continue;
                        }

                        if (next < log.High)
                        {
                            // The rest below the high watermark is in a later segment.
                            _segment = null;
                        }

                        break;
                    }

                    if (status != ReadStatus.Record)
                    {
                        throw new BusException($"The journal segment {segment.LogPath} is damaged at byte {position} ({status}).");
                    }

                    if (RecordFormat.LastOffsetOf(_reader.Buffer.AsSpan(start)) >= next)
                    {
                        RecordFormat.DecodeFrom(log.Topic, log.Partition, _reader.Buffer, start, next, _decoded);
                        TakeDecoded(output, max);
                    }
                }
            }
            finally
            {
                segment.Release();
            }
        }
    }

    /// <summary>Moves decoded messages to <paramref name="output"/> up to <paramref name="max"/>; the rest of a batch waits for the next read.</summary>
    private void TakeDecoded(List<ConsumedMessage> output, int max)
    {
        while (_decodedTaken < _decoded.Count && output.Count < max)
        {
            var message = _decoded[_decodedTaken++];
            output.Add(message);
            next = message.Offset + 1;
        }

        if (_decodedTaken == _decoded.Count)
        {
            _decoded.Clear();
            _decodedTaken = 0;
        }
    }
}
