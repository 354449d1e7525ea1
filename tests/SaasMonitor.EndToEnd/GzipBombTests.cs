using System.IO.Compression;
using System.Net;

namespace SaasMonitor.EndToEnd;

/// <summary>A gzip bomb against /api/ingest. Runs alone, so the memory it measures is the server's answer to the bomb only.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class GzipBombTests : IAsyncLifetime
{
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await InProcessHost.StartAsync("--SaasMonitor:Ingest:MaxBodyBytes=2097152", "--SaasMonitor:Ingest:MaxDecompressedBytes=524288");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_gzip_bomb_is_refused_with_413_without_inflating_it()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 1024; i++)
            {
                await gzip.WriteAsync(zeros);
            }
        }

        compressed.Length.Should().BeLessThan(2 * 1024 * 1024, "a gigabyte of zeros compresses to about a megabyte or less");
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("text/plain");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await _host.Client.PostAsync("/api/ingest", content);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain("decompressed");
        (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore).Should().BeLessThan(64L << 20, "the server stops inflating at the 512 KiB limit instead of inflating the gigabyte");
    }
}
