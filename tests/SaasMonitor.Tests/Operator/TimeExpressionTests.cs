using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Operator;

namespace SaasMonitor.Tests.Operator;

public sealed class TimeExpressionTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("now", "2025-05-01T12:00:00Z")]
    [InlineData("now-1h", "2025-05-01T11:00:00Z")]
    [InlineData("-1h", "2025-05-01T11:00:00Z")]
    [InlineData("-90m", "2025-05-01T10:30:00Z")]
    [InlineData("now-2d", "2025-04-29T12:00:00Z")]
    [InlineData("-45s", "2025-05-01T11:59:15Z")]
    [InlineData("2025-04-30T08:15:00Z", "2025-04-30T08:15:00Z")]
    [InlineData("2025-04-30T10:15:00+02:00", "2025-04-30T08:15:00Z")]
    [InlineData("2025-04-30 08:15:00", "2025-04-30T08:15:00Z")]
    public void Relative_and_ISO_8601_times_are_read_as_UTC_instants(string text, string expected)
    {
        TimeExpression.TryParse(text, Now, out var time).Should().BeTrue();
        time.Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("now+1h")]
    [InlineData("-1x")]
    [InlineData("-h")]
    [InlineData("")]
    public void Anything_else_is_not_a_time(string text) =>
        TimeExpression.TryParse(text, Now, out _).Should().BeFalse();

    [Theory]
    [InlineData("0:42", 0, 42L)]
    [InlineData("3:0", 3, 0L)]
    public void A_dead_letter_position_is_partition_colon_offset(string text, int partition, long offset)
    {
        DeadLetterPosition.TryParse(text, out var position).Should().BeTrue();
        position.Should().Be(new DeadLetterPosition(partition, offset));
        position.ToString().Should().Be(text);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("a:1")]
    [InlineData("-1:2")]
    [InlineData("1:")]
    public void A_malformed_dead_letter_position_is_refused(string text) =>
        DeadLetterPosition.TryParse(text, out _).Should().BeFalse();
}
