using System.Net;
using Alerting.Worker;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Testing;

namespace SaasMonitor.Tests.Alerting;

public sealed class OutboxTests : IDisposable
{
    private readonly AlertingTestKit _kit = new(new AlertingOptions { AllowPrivateTargets = true, MaxAttempts = 3, RetryDelay = TimeSpan.FromSeconds(5) });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_delivery_is_retried_with_doubling_waits_then_marked_failed_with_the_reason()
    {
        await _kit.Store.SaveChannelAsync(new AlertChannel { Id = "c1", Name = "hook", Type = ChannelType.Webhook, Url = $"http://127.0.0.1:{ClosedPort()}/hook" }, Ct);
        var queued = await _kit.Store.EnqueueAsync(Notification(), Ct);
        var sender = _kit.Sender();

        (await sender.SendDueAsync(Ct)).Should().Be(1);
        var first = (await _kit.Store.ListNotificationsAsync(null, "c1", 1, Ct)).Single();
        first.Should().BeEquivalentTo(new { Status = DeliveryStatus.Pending, Attempts = 1, NextAttemptAt = _kit.Time.GetUtcNow().AddSeconds(5) });
        first.LastError.Should().NotBeNullOrEmpty();

        (await sender.SendDueAsync(Ct)).Should().Be(0, "the next attempt is not due yet");
        _kit.Time.Advance(TimeSpan.FromSeconds(5));
        await sender.SendDueAsync(Ct);
        (await _kit.Store.ListNotificationsAsync(null, "c1", 1, Ct)).Single().NextAttemptAt.Should().Be(_kit.Time.GetUtcNow().AddSeconds(10));
        _kit.Time.Advance(TimeSpan.FromSeconds(10));
        await sender.SendDueAsync(Ct);

        var last = (await _kit.Store.ListNotificationsAsync(null, "c1", 1, Ct)).Single();
        last.Id.Should().Be(queued.Id);
        last.Status.Should().Be(DeliveryStatus.Failed);
        last.Attempts.Should().Be(3);
    }

    [Fact]
    public async Task A_notification_to_a_deleted_channel_fails_with_that_reason()
    {
        await _kit.Store.EnqueueAsync(Notification() with { ChannelId = "gone" }, Ct);

        await _kit.Sender().SendDueAsync(Ct);

        (await _kit.Store.ListNotificationsAsync(null, "gone", 1, Ct)).Single().LastError.Should().Contain("no longer exists");
    }

    [Fact]
    public async Task Every_attempt_at_one_message_carries_the_same_delivery_id_so_a_receiver_can_drop_a_repeat()
    {
        using var receiver = new HttpListener();
        var port = ClosedPort();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        var deliveries = new List<string?>();
        var answering = Task.Run(async () =>
        {
            foreach (var status in new[] { 503, 200 })
            {
                var context = await receiver.GetContextAsync();
                deliveries.Add(context.Request.Headers[Notifier.DeliveryHeader]);
                context.Response.StatusCode = status;
                context.Response.Close();
            }
        }, Ct);
        await _kit.Store.SaveChannelAsync(new AlertChannel { Id = "c1", Name = "hook", Type = ChannelType.Webhook, Url = $"http://127.0.0.1:{port}/hook" }, Ct);
        var queued = await _kit.Store.EnqueueAsync(Notification(), Ct);
        var other = await _kit.Store.EnqueueAsync(Notification() with { ChannelId = "gone" }, Ct);
        var sender = _kit.Sender();

        await sender.SendDueAsync(Ct);
        _kit.Time.Advance(TimeSpan.FromSeconds(5));
        await sender.SendDueAsync(Ct);
        await answering;

        deliveries.Should().Equal(OutboxSender.DeliveryId(queued), OutboxSender.DeliveryId(queued));
        OutboxSender.DeliveryId(other).Should().NotBe(OutboxSender.DeliveryId(queued));
        (await _kit.Store.ListNotificationsAsync(null, "c1", 1, Ct)).Single().Status.Should().Be(DeliveryStatus.Sent);
    }

    [Fact]
    public async Task A_channel_that_does_not_answer_holds_back_no_other_channel()
    {
        using var stuck = new HttpListener();
        var stuckPort = ClosedPort();
        stuck.Prefixes.Add($"http://127.0.0.1:{stuckPort}/");
        stuck.Start();
        using var answering = new HttpListener();
        var answeringPort = ClosedPort();
        answering.Prefixes.Add($"http://127.0.0.1:{answeringPort}/");
        answering.Start();
        await _kit.Store.SaveChannelAsync(new AlertChannel { Id = "c1", Name = "stuck", Type = ChannelType.Webhook, Url = $"http://127.0.0.1:{stuckPort}/hook" }, Ct);
        await _kit.Store.SaveChannelAsync(new AlertChannel { Id = "c2", Name = "fine", Type = ChannelType.Webhook, Url = $"http://127.0.0.1:{answeringPort}/hook" }, Ct);
        await _kit.Store.EnqueueAsync(Notification(), Ct);
        await _kit.Store.EnqueueAsync(Notification() with { ChannelId = "c2" }, Ct);

        var sending = _kit.Sender().SendDueAsync(Ct);
        var held = await stuck.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var answered = await answering.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(20), Ct);
        answered.Response.StatusCode = 200;
        answered.Response.Close();

        await Eventually.HoldsAsync(
            async () => (await _kit.Store.ListNotificationsAsync(null, "c2", 1, Ct)).Single().Status == DeliveryStatus.Sent,
            TimeSpan.FromSeconds(20),
            "the answering channel's message recorded sent while the other channel's is still under way");
        sending.IsCompleted.Should().BeFalse("the stuck channel has not answered yet");
        held.Response.StatusCode = 200;
        held.Response.Close();
        (await sending).Should().Be(2);
        (await _kit.Store.ListNotificationsAsync(null, "c1", 1, Ct)).Single().Status.Should().Be(DeliveryStatus.Sent);
    }

    public void Dispose() => _kit.Dispose();

    private AlertNotification Notification()
    {
        var now = _kit.Time.GetUtcNow();
        var message = new AlertMessage("r1", "billing errors", NotificationKind.Firing, "count > 5", 5, now, "http://localhost:5000/search", [], []);
        return new AlertNotification { RuleId = "r1", ChannelId = "c1", Payload = message.ToJson(), CreatedAt = now, NextAttemptAt = now };
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
