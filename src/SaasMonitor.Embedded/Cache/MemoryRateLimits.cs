using System.Threading.RateLimiting;
using SaasMonitor.Core.Caching;

namespace SaasMonitor.Embedded.Cache;

/// <summary>Limits counted in this process only: right for one server, not for replicas behind a load balancer.</summary>
public sealed class MemoryRateLimits : IRateLimits
{
    public RateLimitPartition<string> FixedWindow(string key, int permitLimit, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window });
}
