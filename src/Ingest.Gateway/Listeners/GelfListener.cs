using System.Buffers;
using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;

namespace Ingest.Gateway.Listeners;

/// <summary>
/// GELF over UDP (a message per datagram, or chunked: magic <c>0x1e 0x0f</c>, an 8-byte message id, sequence number and
/// count, up to 128 chunks reassembled within 5 seconds; gzip or zlib compressed or plain) and TCP (messages delimited
/// by a NUL byte, uncompressed). Messages are written as lines in the GELF raw format. A datagram that cannot be read
/// (bad chunk header, corrupt compression, larger than a raw record once inflated) is dropped with a warning: UDP has
/// no way to answer.
/// </summary>
internal sealed class GelfListener(IOptions<GelfOptions> options, IOptions<IngestOptions> ingest, RawWriter writer, ILogger<GelfListener> logger)
    : ListenerService<GelfOptions>(options, ingest, writer, logger)
{
    private const int MaxChunks = 128;
    private const int MaxPendingMessages = 1_000;
    private static readonly TimeSpan ChunkWindow = TimeSpan.FromSeconds(5);

    private readonly Dictionary<(EndPoint Sender, ulong Id), PendingMessage> _pending = [];

    protected override string Name => "gelf";

    protected override RawFormat Format => RawFormat.Gelf;

    protected override bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out message, 0))
        {
            return false;
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    protected override byte[]? FromDatagram(byte[] datagram, EndPoint remote)
    {
        try
        {
            if (datagram.Length < 2 || datagram[0] != 0x1e || datagram[1] != 0x0f)
            {
                return Inflate(datagram);
            }

            return Reassemble(datagram, remote) is { } whole ? Inflate(whole) : null;
        }
        catch (InvalidDataException e)
        {
            ListenerLog.DatagramDropped(Logger, Name, remote, e.Message);
            return null;
        }
    }

    /// <summary>The message folded onto one line: line breaks are whitespace between JSON tokens (a JSON string cannot hold them raw).</summary>
    protected override byte[] ToLine(byte[] message)
    {
        for (var i = 0; i < message.Length; i++)
        {
            if (message[i] is (byte)'\r' or (byte)'\n')
            {
                message[i] = (byte)' ';
            }
        }

        return SyslogFraming.Trim(message);
    }

    /// <summary>Adds a chunk; the whole message once its last chunk arrived, else null.</summary>
    private byte[]? Reassemble(byte[] datagram, EndPoint remote)
    {
        if (datagram.Length < 12)
        {
            throw new InvalidDataException("a GELF chunk shorter than its 12-byte header");
        }

        var id = BitConverter.ToUInt64(datagram, 2);
        int sequence = datagram[10], count = datagram[11];
        if (count is 0 or > MaxChunks || sequence >= count)
        {
            throw new InvalidDataException($"GELF chunk {sequence} of {count} (at most {MaxChunks} chunks)");
        }

        var now = DateTimeOffset.UtcNow;
        foreach (var stale in _pending.Where(p => now - p.Value.Started > ChunkWindow || _pending.Count > MaxPendingMessages).Select(p => p.Key).ToList())
        {
            _pending.Remove(stale);
            ListenerLog.DatagramDropped(Logger, Name, stale.Sender, "a chunked GELF message did not complete in time");
        }

        var key = (remote, id);
        if (!_pending.TryGetValue(key, out var pending))
        {
            _pending[key] = pending = new PendingMessage(new byte[count][], now);
        }

        if (pending.Parts.Length != count)
        {
            throw new InvalidDataException("GELF chunks of one message disagree on their count");
        }

        pending.Parts[sequence] ??= datagram[12..];
        if (pending.Parts.Any(p => p is null))
        {
            return null;
        }

        _pending.Remove(key);
        return pending.Parts.SelectMany(p => p!).ToArray();
    }

    /// <summary>A gzip or zlib payload inflated (bounded by the raw record size), anything else as it is.</summary>
    private byte[] Inflate(byte[] payload)
    {
        Stream? inflater = payload switch
        {
            [0x1f, 0x8b, ..] => new GZipStream(new MemoryStream(payload), CompressionMode.Decompress),
            [0x78, var flags, ..] when ((0x78 << 8) | flags) % 31 == 0 => new ZLibStream(new MemoryStream(payload), CompressionMode.Decompress),
            _ => null,
        };
        if (inflater is null)
        {
            return payload;
        }

        using (inflater)
        {
            var limit = MaxMessageBytes;
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = inflater.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
                if (output.Length > limit)
                {
                    throw new InvalidDataException($"a GELF message larger than {limit} bytes once inflated");
                }
            }

            return output.ToArray();
        }
    }

    private sealed record PendingMessage(byte[]?[] Parts, DateTimeOffset Started);
}
