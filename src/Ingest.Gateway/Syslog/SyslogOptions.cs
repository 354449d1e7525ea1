using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Ingest.Gateway.Syslog;

/// <summary>Configuration section "SaasMonitor:Inputs:Syslog": the syslog listeners.</summary>
public sealed class SyslogOptions : IValidatableObject
{
    public const string Section = "SaasMonitor:Inputs:Syslog";

    /// <summary>TCP port (RFC 6587: octet counting or newline framing); 0 turns the TCP listener off.</summary>
    [Range(0, 65535)]
    public int TcpPort { get; set; } = 5140;

    /// <summary>UDP port (one message per datagram); 0 turns the UDP listener off.</summary>
    [Range(0, 65535)]
    public int UdpPort { get; set; } = 5140;

    /// <summary>
    /// Address the listeners bind to. Syslog carries no credentials, so the default is loopback (like anonymous HTTP
    /// ingest); <c>0.0.0.0</c> or <c>::</c> accepts senders on other machines.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Source stamped on what the listeners receive.</summary>
    [Required]
    public string Source { get; set; } = "syslog";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"{Section}:BindAddress '{BindAddress}' is not an IP address.", [nameof(BindAddress)]);
        }
    }
}
