using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;

namespace Ingest.Gateway.Listeners;

/// <summary>
/// A socket input over TCP and UDP. Every message becomes one line of a raw record in the input's <see cref="Format"/>;
/// messages are appended in small batches keyed per connection (UDP: per sender), so one stream's messages stay in
/// order in one partition. A listener whose port cannot be bound stops the start with the reason. TCP senders are
/// slowed down, not dropped, while the bus is slow; appends are retried; what was received is written before the
/// listeners stop. Subclasses say how TCP frames are cut, how a datagram becomes a message and how a message becomes a line.
/// </summary>
internal abstract class ListenerService<TOptions>(
    IOptions<TOptions> options, IOptions<IngestOptions> ingest, RawWriter writer, ILogger logger) : BackgroundService
    where TOptions : ListenerOptions
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
            _tcp = Bind(new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp), address, o.TcpPort, $"{o.SectionName}:{nameof(o.TcpPort)}");
            _tcp.Listen(128);
            ListenerLog.Listening(Logger, Name, "TCP", address, o.TcpPort);
        }

        if (o.UdpPort != 0)
        {
            _udp = Bind(new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp), address, o.UdpPort, $"{o.SectionName}:{nameof(o.UdpPort)}");
            ListenerLog.Listening(Logger, Name, "UDP", address, o.UdpPort);
        }

        return base.StartAsync(cancellationToken);
    }

    protected ILogger Logger { get; } = logger;

    /// <summary>The largest message: a raw record's size.</summary>
    protected int MaxMessageBytes => ingest.Value.ChunkBytes;

    /// <summary>The input's name in logs and partition keys ("syslog", "gelf").</summary>
    protected abstract string Name { get; }

    /// <summary>The raw format the lines are written in.</summary>
    protected abstract RawFormat Format { get; }

    /// <summary>Takes the next whole TCP frame from <paramref name="buffer"/>; false when more bytes are needed.</summary>
    protected abstract bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message);

    /// <summary>The message a datagram carries, or null when it carries none yet (a part of a chunked message).</summary>
    protected virtual byte[]? FromDatagram(byte[] datagram, EndPoint remote) => datagram;

    /// <summary>A message as one line of the raw record (no line breaks), or an empty array for nothing.</summary>
    protected abstract byte[] ToLine(byte[] message);

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
                $"{key} {port} cannot be bound on {address} ({e.Message}); choose another port, or 0 to turn this listener off.", e);
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
        var key = $"{Name}-tcp-{socket.RemoteEndPoint}-{Guid.NewGuid():N}";
        var maxFrame = MaxMessageBytes;
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
                    while (TryReadFrame(ref buffer, out var message))
                    {
                        await HandOnAsync(key, message.ToArray(), ct).ConfigureAwait(false);
                    }

                    if (buffer.Length > maxFrame)
                    {
                        ListenerLog.FrameTooLong(Logger, Name, socket.RemoteEndPoint, maxFrame);
                        return;
                    }

                    if (result.IsCompleted)
                    {
                        // A last message need not end with its delimiter.
                        await HandOnAsync(key, buffer.ToArray(), ct).ConfigureAwait(false);
                        return;
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            catch (IOException e)
            {
                ListenerLog.ConnectionFailed(Logger, Name, socket.RemoteEndPoint, e.Message);
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
            if (FromDatagram(buffer[..datagram.ReceivedBytes], datagram.RemoteEndPoint) is { } message)
            {
                await HandOnAsync($"{Name}-udp-{datagram.RemoteEndPoint}", message, ct).ConfigureAwait(false);
            }
        }
    }

    private ValueTask HandOnAsync(string key, byte[] message, CancellationToken ct)
    {
        var bytes = ToLine(message);
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
                    batches[received.Key] = chunker = new RawChunker(Format, MaxMessageBytes);
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
                ListenerLog.AppendFailed(Logger, Name, chunks.Sum(c => c.Records), e.Message);
                await Task.Delay(RetryDelay, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private readonly record struct Received(string Key, byte[] Message);
}

/// <summary>The listeners' log messages.</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Input} listening on {Protocol} {Address}:{Port}")]
    public static partial void Listening(ILogger logger, string input, string protocol, IPAddress address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Input} sender {Remote} sent a frame longer than {Limit} bytes; the connection is closed")]
    public static partial void FrameTooLong(ILogger logger, string input, EndPoint? remote, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Input} connection from {Remote} failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string input, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending {Records} {Input} messages failed, retrying: {Reason}")]
    public static partial void AppendFailed(ILogger logger, string input, long records, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Input} datagram from {Remote} dropped: {Reason}")]
    public static partial void DatagramDropped(ILogger logger, string input, EndPoint? remote, string reason);
}
