using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;

namespace Ingest.Gateway.Syslog;

/// <summary>
/// Syslog over TCP (RFC 6587: octet counting or newline framing, told apart per frame) and UDP (one message per
/// datagram). Every message becomes one line of a raw record in the text format, whose parser reads <c>&lt;PRI&gt;</c>,
/// RFC 5424 and RFC 3164; messages are appended in small batches keyed per connection (UDP: per sender), so one
/// stream's messages stay in order in one partition. A listener whose port cannot be bound stops the start with the
/// reason. TCP senders are slowed down, not dropped, while the bus is slow; what was received is written before the
/// listeners stop.
/// </summary>
internal sealed partial class SyslogListener(
    IOptions<SyslogOptions> options, IOptions<IngestOptions> ingest, RawWriter writer, ILogger<SyslogListener> logger) : BackgroundService
{
    private const int BatchMessages = 5_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<Received> _received = Channel.CreateBounded<Received>(new BoundedChannelOptions(10_000) { SingleReader = true });
    private Socket? _tcp;
    private Socket? _udp;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.BindAddress);
        if (o.TcpPort != 0)
        {
            _tcp = Bind(new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp), address, o.TcpPort, nameof(SyslogOptions.TcpPort));
            _tcp.Listen(128);
            LogListening(logger, "TCP", address, o.TcpPort);
        }

        if (o.UdpPort != 0)
        {
            _udp = Bind(new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp), address, o.UdpPort, nameof(SyslogOptions.UdpPort));
            LogListening(logger, "UDP", address, o.UdpPort);
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _tcp?.Dispose();
        _udp?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var write = Task.Run(WriteAsync, CancellationToken.None);
        var listeners = new List<Task>();
        if (_tcp is not null)
        {
            listeners.Add(AcceptAsync(_tcp, stoppingToken));
        }

        if (_udp is not null)
        {
            listeners.Add(ReceiveAsync(_udp, stoppingToken));
        }

        try
        {
            await Task.WhenAll(listeners).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was received is still written below.
        }
        finally
        {
            _received.Writer.TryComplete();
            await write.ConfigureAwait(false);
        }
    }

    private static Socket Bind(Socket socket, IPAddress address, int port, string key)
    {
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException(
                $"{SyslogOptions.Section}:{key} {port} cannot be bound on {address} ({e.Message}); choose another port, or 0 to turn this listener off.", e);
        }
    }

    private async Task AcceptAsync(Socket listener, CancellationToken ct)
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync(ct).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(ServeAsync(socket, ct));
            }
        }
        finally
        {
            await Task.WhenAll(connections).ConfigureAwait(false);
        }
    }

    /// <summary>One TCP connection: frames read until the sender closes it, each handed on as one message.</summary>
    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        var key = $"syslog-tcp-{socket.RemoteEndPoint}-{Guid.NewGuid():N}";
        var maxFrame = ingest.Value.ChunkBytes;
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(stream);
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    while (SyslogFraming.TryReadFrame(ref buffer, out var message))
                    {
                        await HandOnAsync(key, message, ct).ConfigureAwait(false);
                    }

                    if (buffer.Length > maxFrame)
                    {
                        LogFrameTooLong(logger, socket.RemoteEndPoint, maxFrame);
                        return;
                    }

                    if (result.IsCompleted)
                    {
                        // Newline framing: the last message need not end with a newline.
                        await HandOnAsync(key, buffer, ct).ConfigureAwait(false);
                        return;
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            catch (IOException e)
            {
                LogConnectionFailed(logger, socket.RemoteEndPoint, e.Message);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ReceiveAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[65_536];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            var datagram = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
            await HandOnAsync($"syslog-udp-{datagram.RemoteEndPoint}", new ReadOnlySequence<byte>(buffer, 0, datagram.ReceivedBytes), ct).ConfigureAwait(false);
        }
    }

    private ValueTask HandOnAsync(string key, ReadOnlySequence<byte> message, CancellationToken ct)
    {
        var bytes = SyslogFraming.Trim(message.ToArray());
        return bytes.Length == 0 ? ValueTask.CompletedTask : _received.Writer.WriteAsync(new Received(key, bytes), ct);
    }

    /// <summary>Appends what was received, in batches per key, until the listeners stop and everything is written.</summary>
    private async Task WriteAsync()
    {
        var reader = _received.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batches = new Dictionary<string, RawChunker>();
            var chunks = new Dictionary<string, List<RawChunk>>();
            for (var n = 0; n < BatchMessages && reader.TryRead(out var received); n++)
            {
                if (!batches.TryGetValue(received.Key, out var chunker))
                {
                    batches[received.Key] = chunker = new RawChunker(RawFormat.Text, ingest.Value.ChunkBytes);
                    chunks[received.Key] = [];
                }

                chunker.Write(received.Message, chunks[received.Key]);
                chunker.Write("\n"u8, chunks[received.Key]);
            }

            foreach (var (key, chunker) in batches)
            {
                chunker.Complete(chunks[key]);
                await AppendAsync(chunks[key], key).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Appends, retrying while the bus refuses: the messages are not given up.</summary>
    private async Task AppendAsync(List<RawChunk> chunks, string key)
    {
        while (true)
        {
            try
            {
                await writer.AppendAsync(chunks, options.Value.Source, fileId: null, key, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
            {
                LogAppendFailed(logger, chunks.Sum(c => c.Records), e.Message);
                await Task.Delay(RetryDelay, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private readonly record struct Received(string Key, byte[] Message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listening on {Protocol} {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, string protocol, IPAddress address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog sender {Remote} sent a frame longer than {Limit} bytes; the connection is closed")]
    private static partial void LogFrameTooLong(ILogger logger, EndPoint? remote, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog connection from {Remote} failed: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending {Records} syslog messages failed, retrying: {Reason}")]
    private static partial void LogAppendFailed(ILogger logger, long records, string reason);
}
