using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SaasMonitor.Hosting;

namespace SaasMonitor.Tests.Hosting;

/// <summary>Housekeeping runs at start, at its interval, and when another module asks for a run now.</summary>
public sealed class HousekeepingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Asking_for_a_run_runs_the_task_now_and_waits_for_it()
    {
        var runs = 0;
        await using var services = Services(_ =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        });
        await StartAsync(services);
        var task = services.GetRequiredKeyedService<IHousekeepingTask>("test");

        await task.RunNowAsync(Ct).WaitAsync(Bound, Ct);
        var afterFirst = Volatile.Read(ref runs);
        await task.RunNowAsync(Ct).WaitAsync(Bound, Ct);

        afterFirst.Should().BeGreaterThanOrEqualTo(1);
        Volatile.Read(ref runs).Should().BeGreaterThan(afterFirst, "the interval is an hour, so the request ran the task");
    }

    [Fact]
    public async Task A_failed_run_fails_the_request_and_a_later_run_still_happens()
    {
        var failing = true;
        await using var services = Services(_ => Volatile.Read(ref failing) ? throw new InvalidOperationException("store down") : Task.CompletedTask);
        await StartAsync(services);
        var task = services.GetRequiredKeyedService<IHousekeepingTask>("test");

        var failed = () => task.RunNowAsync(Ct).WaitAsync(Bound, Ct);

        await failed.Should().ThrowAsync<InvalidOperationException>().WithMessage("store down");
        Volatile.Write(ref failing, false);
        var recovered = () => task.RunNowAsync(Ct).WaitAsync(Bound, Ct);
        await recovered.Should().NotThrowAsync();
    }

    private static ServiceProvider Services(Func<CancellationToken, Task> work)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHousekeeping("test", TimeSpan.FromHours(1), (_, ct) => work(ct));
        return services.BuildServiceProvider();
    }

    private static async Task StartAsync(ServiceProvider services)
    {
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(Ct);
        }
    }
}
