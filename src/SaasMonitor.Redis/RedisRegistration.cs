using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Caching;
using StackExchange.Redis;

namespace SaasMonitor.Redis;

public static class RedisRegistration
{
    /// <summary>
    /// The hot cache and the rate-limit counts on the Redis server that section "SaasMonitor:Redis" names, shared by every process using it;
    /// its health is reported as "cache" (degraded, not down, while Redis is unreachable: answers still come).
    /// </summary>
    public static IHostApplicationBuilder AddRedisCache(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RedisOptions>()
            .Bind(builder.Configuration.GetSection(RedisOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(Options(sp).Client()));
        builder.Services.AddSingleton<IHotCache>(sp =>
            new RedisHotCache(sp.GetRequiredService<IConnectionMultiplexer>(), Options(sp), sp.GetRequiredService<ILogger<RedisHotCache>>()));
        builder.Services.AddSingleton<IRateLimits>(sp =>
            new RedisRateLimits(sp.GetRequiredService<IConnectionMultiplexer>(), Options(sp), sp.GetRequiredService<ILogger<RedisRateLimits>>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "cache", sp => new RedisHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Degraded, tags: null));
        return builder;
    }

    private static RedisOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<RedisOptions>>().Value;

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                await redis.GetDatabase().PingAsync().ConfigureAwait(false);
                return HealthCheckResult.Healthy($"redis answered in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms");
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "redis is unreachable: answers are computed from the stores", e);
            }
        }
    }
}
