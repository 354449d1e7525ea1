namespace SaasMonitor.MongoDB;

/// <summary>A store whose collections need indexes; they are created when the host starts, before any request is served.</summary>
internal interface IMongoSchema
{
    Task CreateIndexesAsync(CancellationToken ct);
}
