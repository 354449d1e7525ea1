using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using SaasMonitor.Core.Caching;

namespace SaasMonitor.Embedded.Cache;

/// <summary>
/// In-process hot cache. A region's entries carry the region's generation in their key;
/// invalidating a region bumps the generation, so stale entries are never read again and age out.
/// </summary>
public sealed class MemoryHotCache(IMemoryCache cache) : IHotCache
{
    private readonly ConcurrentDictionary<string, long> _generations = new();

    public async Task<T> GetOrCreateAsync<T>(string region, string key, TimeSpan ttl, Func<CancellationToken, Task<T>> factory, CancellationToken ct)
    {
        var fullKey = $"{region}:{_generations.GetValueOrDefault(region)}:{key}";
        if (cache.TryGetValue(fullKey, out T? hit) && hit is not null)
        {
            return hit;
        }

        var value = await factory(ct).ConfigureAwait(false);
        cache.Set(fullKey, value, ttl);
        return value;
    }

    public Task InvalidateRegionAsync(string region, CancellationToken ct)
    {
        _generations.AddOrUpdate(region, 1, static (_, g) => g + 1);
        return Task.CompletedTask;
    }
}
