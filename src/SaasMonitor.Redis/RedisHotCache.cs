using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using SaasMonitor.Core.Caching;
using StackExchange.Redis;

namespace SaasMonitor.Redis;

/// <summary>
/// The hot cache in Redis, shared by every process that uses the same server, so an invalidation by the aggregator
/// reaches every dashboard instance. A region's entries carry the region's generation (a counter in Redis) in their
/// key; invalidating a region increments it, so stale entries are never read again and expire by their TTL — no key
/// scan. Concurrent requests for one entry in this process run the factory once. While Redis is unreachable or slow,
/// answers come straight from the factory (the stores) and nothing fails; the client reconnects by itself.
/// </summary>
internal sealed partial class RedisHotCache(IConnectionMultiplexer redis, RedisOptions options, ILogger<RedisHotCache> logger) : IHotCache
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly ConcurrentDictionary<string, Task> _computing = new(StringComparer.Ordinal);
    private int _unavailable;

    public async Task<T> GetOrCreateAsync<T>(string region, string key, TimeSpan ttl, Func<CancellationToken, Task<T>> factory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var db = redis.GetDatabase();
        RedisKey entry;
        try
        {
            entry = EntryKey(region, (long)await db.StringGetAsync(GenerationKey(region)).ConfigureAwait(false), key);
            var hit = await db.StringGetAsync(entry).ConfigureAwait(false);
            Available();
            if (hit.HasValue && TryRead<T>(hit, out var cached))
            {
                return cached;
            }
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            Unavailable(e);
            return await factory(ct).ConfigureAwait(false);
        }

        var value = await ComputeOnceAsync(entry, factory).WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await db.StringSetAsync(entry, JsonSerializer.SerializeToUtf8Bytes(value, Json), ttl).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            Unavailable(e);
        }

        return value;
    }

    public async Task InvalidateRegionAsync(string region, CancellationToken ct)
    {
        try
        {
            await redis.GetDatabase().StringIncrementAsync(GenerationKey(region)).ConfigureAwait(false);
            Available();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Entries written before the outage stay readable until their TTL ends: that bounds how stale they get.
            Unavailable(e);
        }
    }

    /// <summary>The factory's task for <paramref name="entry"/>, shared by every caller that asks while it runs.</summary>
    private Task<T> ComputeOnceAsync<T>(RedisKey entry, Func<CancellationToken, Task<T>> factory)
    {
        var name = entry.ToString();
        var mine = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _computing.GetOrAdd(name, mine.Task);
        if (running != mine.Task)
        {
            return (Task<T>)running;
        }

        _ = FillAsync(mine, name, factory);
        return mine.Task;
    }

    private async Task FillAsync<T>(TaskCompletionSource<T> result, string name, Func<CancellationToken, Task<T>> factory)
    {
        try
        {
            // Shared by several requests, so no single request's cancellation stops it; each caller stops waiting on its own.
            var value = await factory(CancellationToken.None).ConfigureAwait(false);
            _computing.TryRemove(name, out _);
            result.SetResult(value);
        }
        catch (Exception e)
        {
            _computing.TryRemove(name, out _);
            result.SetException(e);
        }
    }

    /// <summary>The entry's value, or default when it was written in another shape (by another version of SaasMonitor).</summary>
    private static bool TryRead<T>(RedisValue hit, out T value)
    {
        try
        {
            value = JsonSerializer.Deserialize<T>((byte[])hit!, Json)!;
            return value is not null;
        }
        catch (JsonException)
        {
            value = default!;
            return false;
        }
    }

    private RedisKey GenerationKey(string region) => $"{options.KeyPrefix}:gen:{region}";

    private RedisKey EntryKey(string region, long generation, string key) => $"{options.KeyPrefix}:{region}:{generation}:{key}";

    private void Unavailable(Exception e)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            LogUnavailable(logger, e);
        }
    }

    private void Available()
    {
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            LogAvailable(logger);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unavailable: cached answers are computed from the stores until it is back")]
    private static partial void LogUnavailable(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Information, "Redis is available again: the hot cache is in use")]
    private static partial void LogAvailable(ILogger logger);
}
