namespace SaasMonitor.Embedded.Journal;

/// <summary>Wakes every waiter once per pulse; costs nothing when nobody waits.</summary>
internal sealed class Signal
{
    private TaskCompletionSource? _waiter;

    /// <summary>A task completed by the next <see cref="Pulse"/>.</summary>
    public Task NextPulse
    {
        get
        {
            var current = Volatile.Read(ref _waiter);
            if (current is not null)
            {
                return current.Task;
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (Interlocked.CompareExchange(ref _waiter, created, null) ?? created).Task;
        }
    }

    public void Pulse()
    {
        if (Volatile.Read(ref _waiter) is null)
        {
            return;
        }

        Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
    }
}
