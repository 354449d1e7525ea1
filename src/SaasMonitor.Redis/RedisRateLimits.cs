using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using RedisRateLimiting;
using SaasMonitor.Core.Caching;
using StackExchange.Redis;

namespace SaasMonitor.Redis;

/// <summary>
/// Limits counted on the Redis server (RedisRateLimiting's fixed window), so every dashboard replica using the same
/// server shares one count per key. While Redis is unreachable each process counts on its own instead: sign-in stays
/// possible and limited, never failing because the cache is down.
/// </summary>
internal sealed partial class RedisRateLimits(IConnectionMultiplexer redis, RedisOptions options, ILogger<RedisRateLimits> logger) : IRateLimits
{
    public RateLimitPartition<string> FixedWindow(string key, int permitLimit, TimeSpan window) =>
        RateLimitPartition.Get(key, k => new SharedLimiter(
            new RedisFixedWindowRateLimiter<string>($"{options.KeyPrefix}:limit:{k}", new RedisFixedWindowRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => redis,
                PermitLimit = permitLimit,
                Window = window,
            }),
            new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window }),
            logger));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: rate limits are counted in this process until it answers again")]
    private static partial void LogCountingLocally(ILogger logger, Exception exception);

    private sealed class SharedLimiter(RateLimiter shared, RateLimiter local, ILogger logger) : RateLimiter
    {
        private static readonly RateLimitLease AskAsynchronously = new Lease(false, null);

        public override TimeSpan? IdleDuration => local.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

        /// <summary>Refused, so callers (the rate-limiting middleware among them) go on to the asynchronous acquire that asks Redis.</summary>
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => AskAsynchronously;

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                var lease = await shared.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
                if (lease.IsAcquired)
                {
                    return lease;
                }

                // The library reports its wait in whole seconds; callers read the standard TimeSpan metadata.
                var retryAfter = lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
                lease.Dispose();
                return new Lease(false, retryAfter);
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                LogCountingLocally(logger, e);
                return await local.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                shared.Dispose();
                local.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
