using Dashboard.Web;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Dashboard;

/// <summary>A live-tail page keeps the newest events up to its capacity between reads and counts what it left out.</summary>
public sealed class LiveSubscriptionTests
{
    [Fact]
    public void Keeps_the_newest_up_to_capacity_and_counts_the_rest_until_read()
    {
        LiveSubscription? removed = null;
        var subscription = new LiveSubscription("level:ERROR", 3, s => removed = s);

        subscription.Offer([.. Enumerable.Range(0, 5).Select(Event)], arrived: 20);
        var (events, skipped) = subscription.Take();

        events.Select(e => e.Id).Should().Equal("2", "3", "4");
        skipped.Should().Be(2, "two matching events did not fit: the page states it");
        subscription.Arrived.Should().Be(20, "the arrival rate counts every event on the topic");
        subscription.Take().Events.Should().BeEmpty("a read takes what was kept");

        subscription.Dispose();
        removed.Should().BeSameAs(subscription);
    }

    private static LogEvent Event(int i) => new() { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Timestamp = DateTimeOffset.UnixEpoch, Level = LogLevels.Error };
}
