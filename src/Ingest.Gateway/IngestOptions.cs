using System.ComponentModel.DataAnnotations;

namespace Ingest.Gateway;

/// <summary>Configuration section "SaasMonitor:Ingest": limits of the HTTP ingest and upload endpoints.</summary>
public sealed class IngestOptions
{
    public const string Section = "SaasMonitor:Ingest";

    /// <summary>Largest request body of POST /api/ingest, as sent (compressed or not).</summary>
    [Range(1024, 1L << 30)]
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest body of POST /api/ingest after gzip decompression (guards against gzip bombs).</summary>
    [Range(1024, 1L << 31)]
    public long MaxDecompressedBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest file accepted by POST /api/upload.</summary>
    [Range(1024, 1L << 34)]
    public long MaxUploadBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Target size of one raw record on the bus; also the largest single log record accepted.</summary>
    [Range(4096, 16 * 1024 * 1024)]
    public int ChunkBytes { get; set; } = 1024 * 1024;
}
