namespace SaasMonitor.Hosting.Security;

/// <summary>
/// The authorization policies every endpoint declares one of. Roles nest: admin ⊃ editor ⊃ viewer; an ingest key is
/// a principal of its own that satisfies <see cref="Ingest"/> and nothing else.
/// </summary>
public static class Policies
{
    /// <summary>Sending logs: an ingest key, a signed-in editor or admin, or an anonymous caller where configured (loopback by default).</summary>
    public const string Ingest = "ingest";

    /// <summary>Reading: search, stats, charts, live tail, export.</summary>
    public const string Viewer = "viewer";

    /// <summary>Uploads, file delete, saved searches, alert rules and silences, dead-letter redrive.</summary>
    public const string Editor = "editor";

    /// <summary>Users, keys, settings, retention, replay, audit.</summary>
    public const string Admin = "admin";

    /// <summary>The Prometheus scrape: loopback, or the configured scrape token.</summary>
    public const string Metrics = "metrics";
}
