using System.ComponentModel.DataAnnotations;
using MongoDB.Driver;

namespace SaasMonitor.MongoDB;

/// <summary>Configuration section "SaasMonitor:MongoDB": the server and database that hold KPI windows, files, users and alerts.</summary>
public sealed class MongoOptions : IValidatableObject
{
    public const string Section = "SaasMonitor:MongoDB";

    /// <summary>
    /// A MongoDB connection string naming a replica set (a single-node one will do): the KPI windows and the aggregator's
    /// offsets are written in one transaction, which MongoDB runs only on replica sets.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The database that holds SaasMonitor's collections.</summary>
    public string Database { get; set; } = "saasmon";

    /// <summary>How long search history entries are kept; a TTL index removes older ones.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00", ErrorMessage = "SaasMonitor:MongoDB:SearchHistoryRetention must be between 1 hour and 3650 days.")]
    public TimeSpan SearchHistoryRetention { get; set; } = TimeSpan.FromDays(90);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("The MongoDB stores need their server: set SaasMonitor:MongoDB:ConnectionString (mongodb://user:password@host:27017/?replicaSet=rs0).");
        }
        else if (ParseError(ConnectionString) is { } error)
        {
            yield return new ValidationResult($"SaasMonitor:MongoDB:ConnectionString is not a MongoDB connection string (mongodb://user:password@host:27017/?replicaSet=rs0): {error}");
        }

        if (!IsDatabaseName(Database))
        {
            yield return new ValidationResult("SaasMonitor:MongoDB:Database must be a database name of 1 to 63 characters without spaces or any of /\\.\"$*<>:|?.");
        }
    }

    /// <summary>MongoDB's rules for database names on every platform.</summary>
    internal static bool IsDatabaseName(string? name) =>
        name is { Length: > 0 and < 64 } && name.AsSpan().IndexOfAny("/\\. \"$*<>:|?\0") < 0;

    private static string? ParseError(string connectionString)
    {
        try
        {
            _ = MongoUrl.Create(connectionString);
            return null;
        }
        catch (Exception e) when (e is MongoConfigurationException or ArgumentException or FormatException)
        {
            return e.Message;
        }
    }
}
