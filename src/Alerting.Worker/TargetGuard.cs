using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;

namespace Alerting.Worker;

/// <summary>
/// Refuses outgoing webhook and Slack targets on loopback, private, link-local and other internal addresses (SSRF),
/// unless <see cref="AlertingOptions.AllowPrivateTargets"/>. Checked when a channel is saved and again on every
/// connection, against the address actually connected to, so a name that later resolves inwards is refused too.
/// </summary>
public sealed class TargetGuard(IOptions<AlertingOptions> options)
{
    /// <summary>Throws <see cref="InvalidAlertException"/> unless <paramref name="url"/> is an http(s) address that resolves outwards.</summary>
    public async Task CheckAsync(string? url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidAlertException($"'url' must be an absolute http or https address; got '{url}'.");
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new InvalidAlertException($"The host of 'url' ({uri.Host}) does not resolve: {e.Message}");
        }

        if (addresses.FirstOrDefault(a => !Allowed(a)) is { } inner)
        {
            throw new InvalidAlertException(Refusal(uri.Host, inner));
        }
    }

    /// <summary>Connects to the first allowed address of the request's host; refuses when none is allowed.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        var target = addresses.FirstOrDefault(Allowed) ?? throw new HttpRequestException(Refusal(host, addresses.FirstOrDefault()));
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when a notification may be sent to <paramref name="address"/>.</summary>
    public bool Allowed(IPAddress address) => options.Value.AllowPrivateTargets || !IsInternal(address);

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            // Link-local fe80::/10, unique local fc00::/7, site-local fec0::/10, multicast ff00::/8.
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC;
        }

        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => v4[1] is >= 64 and < 128,          // carrier-grade NAT 100.64.0.0/10
            169 => v4[1] == 254,                      // link-local, cloud metadata
            172 => v4[1] is >= 16 and < 32,
            192 => v4[1] == 168 || (v4[1] == 0 && v4[2] == 0),
            198 => v4[1] is 18 or 19,                 // benchmarking 198.18.0.0/15
            >= 224 => true,                           // multicast and reserved
            _ => false,
        };
    }

    private static string Refusal(string host, IPAddress? address) =>
        $"Refused: {host} resolves to {address}, a loopback, private or link-local address. Alerts post only to public addresses unless SaasMonitor:Alerting:AllowPrivateTargets is true.";
}
