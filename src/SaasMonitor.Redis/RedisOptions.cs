using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace SaasMonitor.Redis;

/// <summary>Configuration section "SaasMonitor:Redis": the Redis server that holds the hot cache.</summary>
public sealed class RedisOptions : IValidatableObject
{
    public const string Section = "SaasMonitor:Redis";

    /// <summary>StackExchange.Redis configuration: <c>host:port[,password=...][,ssl=true]</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "The Redis cache needs its server: set SaasMonitor:Redis:Configuration (host:port[,password=...]).")]
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key this cache writes, so several deployments can share one server.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "SaasMonitor:Redis:KeyPrefix must not be empty.")]
    public string KeyPrefix { get; set; } = "saasmon";

    /// <summary>
    /// How long one call to Redis may take; past it (or while Redis is unreachable) the answer is computed from the
    /// stores instead, so a slow or stopped Redis makes the dashboard slower, never failing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30", ErrorMessage = "SaasMonitor:Redis:Timeout must be between 50 ms and 30 s.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? error = null;
        try
        {
            ConfigurationOptions.Parse(Configuration);
        }
        catch (ArgumentException e)
        {
            error = $"SaasMonitor:Redis:Configuration is not a Redis configuration (host:port[,password=...]): {e.Message}";
        }

        if (error is not null)
        {
            yield return new ValidationResult(error);
        }
    }

    /// <summary>The client's settings: reconnects by itself, and never waits on Redis longer than <see cref="Timeout"/>.</summary>
    internal ConfigurationOptions Client()
    {
        var client = ConfigurationOptions.Parse(Configuration);
        client.AbortOnConnectFail = false;
        client.ConnectTimeout = (int)Timeout.TotalMilliseconds;
        client.SyncTimeout = (int)Timeout.TotalMilliseconds;
        client.AsyncTimeout = (int)Timeout.TotalMilliseconds;
        client.ClientName = KeyPrefix;
        return client;
    }
}
