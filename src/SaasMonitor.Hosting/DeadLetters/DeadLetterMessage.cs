using System.Globalization;
using System.Reflection;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Hosting.DeadLetters;

/// <summary>
/// How a worker writes what it could not handle to the dead-letter topic: the original bytes, where they came from
/// (topic, partition, offset and position inside the message), the reason, and which attempt failed.
/// </summary>
public static class DeadLetterMessage
{
    private static readonly byte[] WorkerVersion = Encoding.UTF8.GetBytes(
        typeof(DeadLetterMessage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

    private static readonly byte[] FirstAttempt = "1"u8.ToArray();

    /// <param name="origin">The consumed message that held the failed record.</param>
    /// <param name="index">The record's position inside <paramref name="origin"/> (line, array element or event, from 0).</param>
    /// <param name="carried">Headers of the record kept on the letter (source, file, format), so a redrive reads it as before.</param>
    public static BusMessage Create(
        ConsumedMessage origin, int index, string errorType, string reason, ReadOnlyMemory<byte> original, IEnumerable<MessageHeader> carried)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return new BusMessage(original)
        {
            Headers =
            [
                MessageSchemas.DeadLetter.Header,
                Header(DeadLetterHeaders.OriginTopic, origin.Topic),
                Header(DeadLetterHeaders.OriginPartition, origin.Partition.ToString(CultureInfo.InvariantCulture)),
                Header(DeadLetterHeaders.OriginOffset, origin.Offset.ToString(CultureInfo.InvariantCulture)),
                Header(DeadLetterHeaders.OriginIndex, index.ToString(CultureInfo.InvariantCulture)),
                Header(DeadLetterHeaders.ErrorType, errorType),
                Header(DeadLetterHeaders.ErrorMessage, reason),
                new MessageHeader(DeadLetterHeaders.Attempt, AttemptOf(origin)),
                Header(DeadLetterHeaders.FailedAt, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
                new MessageHeader(DeadLetterHeaders.WorkerVersion, WorkerVersion),
                .. carried,
            ],
        };
    }

    public static MessageHeader Header(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    /// <summary>A redriven record carries the attempt it is (2 after its first redrive); a new record is attempt 1.</summary>
    private static ReadOnlyMemory<byte> AttemptOf(ConsumedMessage origin)
    {
        foreach (var h in origin.Headers)
        {
            if (h.Key == DeadLetterHeaders.Attempt)
            {
                return h.Value;
            }
        }

        return FirstAttempt;
    }
}
