using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace SaasMonitor.Elasticsearch;

/// <summary>
/// Configuration section "SaasMonitor:Elasticsearch": the cluster that holds the log index, how to sign in to it and
/// how to trust its certificate. Retention is the deployment's SaasMonitor:EventRetentionDays, applied by deleting whole days.
/// </summary>
public sealed partial class ElasticsearchOptions : IValidatableObject
{
    public const string Section = "SaasMonitor:Elasticsearch";

    /// <summary>The cluster's URL, e.g. <c>https://elasticsearch:9200</c>.</summary>
    public string Url { get; set; } = "";

    /// <summary>An API key (the encoded form Elasticsearch returns), instead of a user name and password.</summary>
    public string? ApiKey { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>SHA-256 fingerprint of the cluster's CA or HTTP certificate (hex, colons allowed), as Elasticsearch prints it at first start.</summary>
    public string? CertificateFingerprint { get; set; }

    /// <summary>A PEM file of the CA that signed the cluster's certificate, instead of a fingerprint.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Start of the names of the daily indices (<c>{prefix}-events-yyyy.MM.dd</c>) and of their template.</summary>
    public string IndexPrefix { get; set; } = "saasmon";

    /// <summary>How many times a bulk write is sent while Elasticsearch answers 429 or 5xx for some of its events.</summary>
    [Range(1, 20, ErrorMessage = "SaasMonitor:Elasticsearch:BulkAttempts must be between 1 and 20.")]
    public int BulkAttempts { get; set; } = 6;

    /// <summary>The wait before the second attempt; it doubles with every further attempt (up to 30 s), with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30", ErrorMessage = "SaasMonitor:Elasticsearch:RetryBackoff must be between 0 and 30 s.")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one request to the cluster may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "SaasMonitor:Elasticsearch:RequestTimeout must be between 1 s and 10 min.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult("The Elasticsearch search store needs its cluster: set SaasMonitor:Elasticsearch:Url to an http(s) URL such as https://elasticsearch:9200.");
            yield break;
        }

        if (!string.IsNullOrEmpty(ApiKey) && (!string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Password)))
        {
            yield return new ValidationResult("Set either SaasMonitor:Elasticsearch:ApiKey or Username and Password, not both.");
        }
        else if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("SaasMonitor:Elasticsearch:Username and Password go together: set both or neither.");
        }

        if (!string.IsNullOrEmpty(CertificateFingerprint) && !string.IsNullOrEmpty(CaCertificatePath))
        {
            yield return new ValidationResult("Set either SaasMonitor:Elasticsearch:CertificateFingerprint or CaCertificatePath, not both.");
        }
        else if (!string.IsNullOrEmpty(CertificateFingerprint) && !Fingerprint().IsMatch(CertificateFingerprint))
        {
            yield return new ValidationResult("SaasMonitor:Elasticsearch:CertificateFingerprint must be a SHA-256 fingerprint: 64 hex digits, colons allowed.");
        }
        else if (!string.IsNullOrEmpty(CaCertificatePath) && !File.Exists(CaCertificatePath))
        {
            yield return new ValidationResult($"SaasMonitor:Elasticsearch:CaCertificatePath names no file: '{CaCertificatePath}'.");
        }

        if ((!string.IsNullOrEmpty(CertificateFingerprint) || !string.IsNullOrEmpty(CaCertificatePath)) && url.Scheme != "https")
        {
            yield return new ValidationResult("A certificate to trust was given but SaasMonitor:Elasticsearch:Url is not https.");
        }

        if (!IndexName().IsMatch(IndexPrefix ?? ""))
        {
            yield return new ValidationResult("SaasMonitor:Elasticsearch:IndexPrefix must be lower-case letters, digits, '-' or '_', starting with a letter or digit, at most 100 characters.");
        }
    }

    [GeneratedRegex("^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$")]
    private static partial Regex Fingerprint();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex IndexName();
}
