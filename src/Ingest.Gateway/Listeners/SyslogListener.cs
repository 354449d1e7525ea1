using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;

namespace Ingest.Gateway.Listeners;

/// <summary>
/// Syslog over TCP (RFC 6587: octet counting or newline framing, told apart per frame) and UDP (one message per
/// datagram). Messages are written as text lines, whose parser reads <c>&lt;PRI&gt;</c>, RFC 5424 and RFC 3164.
/// </summary>
internal sealed class SyslogListener(IOptions<SyslogOptions> options, IOptions<IngestOptions> ingest, RawWriter writer, ILogger<SyslogListener> logger)
    : ListenerService<SyslogOptions>(options, ingest, writer, logger)
{
    protected override string Name => "syslog";

    protected override RawFormat Format => RawFormat.Text;

    protected override bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message) =>
        SyslogFraming.TryReadFrame(ref buffer, out message);

    protected override byte[] ToLine(byte[] message) => SyslogFraming.Trim(message);
}
