using System.Security.Claims;

namespace SaasMonitor.Hosting.Security;

/// <summary>What an ingest key fixes about the records sent with it: the server, not the body, decides these.</summary>
public static class IngestIdentity
{
    internal const string SourceClaim = "saasmon:ingest_source";

    /// <summary>
    /// The source to stamp on records sent by <paramref name="user"/>: the ingest key's source when the caller used
    /// one (overriding <paramref name="requested"/>), otherwise <paramref name="requested"/> or <paramref name="fallback"/>.
    /// </summary>
    public static string IngestSource(this ClaimsPrincipal user, string? requested, string fallback) =>
        user.FindFirst(SourceClaim)?.Value is { Length: > 0 } keySource ? keySource
        : string.IsNullOrWhiteSpace(requested) ? fallback
        : requested;
}
