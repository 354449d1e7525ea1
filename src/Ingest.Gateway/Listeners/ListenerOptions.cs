using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Ingest.Gateway.Listeners;

/// <summary>The settings every socket input has: its ports, the address it binds to and the source it stamps.</summary>
public abstract class ListenerOptions : IValidatableObject
{
    /// <summary>TCP port; 0 turns the TCP listener off.</summary>
    [Range(0, 65535)]
    public int TcpPort { get; set; }

    /// <summary>UDP port; 0 turns the UDP listener off.</summary>
    [Range(0, 65535)]
    public int UdpPort { get; set; }

    /// <summary>
    /// Address the listeners bind to. These inputs carry no credentials, so the default is loopback (like anonymous
    /// HTTP ingest); <c>0.0.0.0</c> or <c>::</c> accepts senders on other machines.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Source stamped on what the listeners receive.</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>The configuration section, for messages.</summary>
    public abstract string SectionName { get; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"{SectionName}:BindAddress '{BindAddress}' is not an IP address.", [nameof(BindAddress)]);
        }
    }
}

/// <summary>Configuration section "SaasMonitor:Inputs:Syslog": the syslog listeners (TCP and UDP port 5140 by default).</summary>
public sealed class SyslogOptions : ListenerOptions
{
    public const string Section = "SaasMonitor:Inputs:Syslog";

    public SyslogOptions()
    {
        TcpPort = UdpPort = 5140;
        Source = "syslog";
    }

    public override string SectionName => Section;
}

/// <summary>Configuration section "SaasMonitor:Inputs:Gelf": the GELF listeners (TCP and UDP port 12201 by default).</summary>
public sealed class GelfOptions : ListenerOptions
{
    public const string Section = "SaasMonitor:Inputs:Gelf";

    public GelfOptions()
    {
        TcpPort = UdpPort = 12201;
        Source = "gelf";
    }

    public override string SectionName => Section;
}
