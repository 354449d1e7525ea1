using System.Threading.RateLimiting;

namespace SaasMonitor.Core.Caching;

/// <summary>
/// Fixed-window limits (sign-in attempts per address and per account) counted where every process using the same
/// cache sees them: in this process with the memory cache, on the server with Redis, so a limit holds across
/// dashboard replicas. Acquire permits asynchronously: a shared count cannot answer synchronously.
/// </summary>
public interface IRateLimits
{
    /// <summary>At most <paramref name="permitLimit"/> permits per <paramref name="window"/> for <paramref name="key"/>.</summary>
    RateLimitPartition<string> FixedWindow(string key, int permitLimit, TimeSpan window);
}
