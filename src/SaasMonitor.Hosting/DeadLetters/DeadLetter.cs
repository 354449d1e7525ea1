using System.Globalization;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Hosting.DeadLetters;

/// <summary>A record the parser could not read, as the dead-letter topic holds it: where it came from, why it failed, its original bytes.</summary>
public sealed record DeadLetter(
    DeadLetterPosition Position,
    DateTimeOffset AppendedAt,
    string? FailedAt,
    string? ErrorType,
    string? ErrorMessage,
    string Origin,
    string? Source,
    string? Format,
    string? FileId,
    int Attempt,
    ReadOnlyMemory<byte> Original,
    IReadOnlyList<MessageHeader> Headers)
{
    public static DeadLetter Of(ConsumedMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new DeadLetter(
            new DeadLetterPosition(m.Partition, m.Offset),
            m.Timestamp,
            m.Header(DeadLetterHeaders.FailedAt),
            m.Header(DeadLetterHeaders.ErrorType),
            m.Header(DeadLetterHeaders.ErrorMessage),
            OriginOf(m),
            m.Header(RawRecordHeaders.Source),
            m.Header(RawRecordHeaders.Format),
            m.Header(RawRecordHeaders.FileId),
            AttemptOf(m),
            m.Value,
            m.Headers);
    }

    /// <summary>Which attempt at parsing the record failed: 1, or one more than the redrive that sent it.</summary>
    internal static int AttemptOf(ConsumedMessage dead) =>
        int.TryParse(dead.Header(DeadLetterHeaders.Attempt), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) ? attempt : 1;

    /// <summary>The original bytes as text (see <see cref="Printable"/>).</summary>
    public string Text => Printable(Original.Span);

    /// <summary>Bytes as text: valid UTF-8 and line breaks as they are, other control characters and invalid bytes escaped.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{bytes[0]:X2}");
                bytes = bytes[1..];
                continue;
            }

            _ = rune.Value switch
            {
                '\n' => text.Append('\n'),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                '\\' => text.Append("\\\\"),
                _ when System.Text.Rune.IsControl(rune) => text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}"),
                _ => text.Append(rune.ToString()),
            };
            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>Where the record came from: "topic/partition/offset#index" (its dead-letter position for a letter without origin headers).</summary>
    internal static string OriginOf(ConsumedMessage dead) =>
        dead.Header(DeadLetterHeaders.OriginTopic) is { } originTopic
            ? $"{originTopic}/{dead.Header(DeadLetterHeaders.OriginPartition)}/{dead.Header(DeadLetterHeaders.OriginOffset)}#{dead.Header(DeadLetterHeaders.OriginIndex)}"
            : $"{dead.Topic}/{dead.Partition}/{dead.Offset}";
}
