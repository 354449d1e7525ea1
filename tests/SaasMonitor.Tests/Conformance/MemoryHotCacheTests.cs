using Microsoft.Extensions.Caching.Memory;
using SaasMonitor.Core.Caching;
using SaasMonitor.Embedded.Cache;

namespace SaasMonitor.Tests.Conformance;

public sealed class MemoryHotCacheTests : HotCacheConformanceTests, IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions());

    public void Dispose() => _memory.Dispose();

    protected override Task<IHotCache> CreateCacheAsync() => Task.FromResult<IHotCache>(new MemoryHotCache(_memory));

    protected override IRateLimits CreateLimits() => new MemoryRateLimits();
}
