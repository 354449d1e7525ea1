using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SaasMonitor.Testing;

/// <summary>
/// A real redis-server (Debian's package) on a free loopback port, without persistence, for the tests; it can be
/// stopped and started again on the same port to test an outage. Where the server is not installed,
/// <see cref="SkipReason"/> says so.
/// </summary>
public class RedisTestServer : IDisposable
{
    private const string RedisServer = "/usr/bin/redis-server";

    private readonly Func<int, ProcessStartInfo> _command;
    private Process? _process;

    public RedisTestServer()
        : this(File.Exists(RedisServer) ? null : $"{RedisServer} is not installed (apt-get install redis-server; .ci/run installs it)", port =>
            Command(RedisServer, "--port", Invariant(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"))
    {
    }

    /// <param name="skipReason">Why the server cannot run here, or null.</param>
    /// <param name="command">The command that starts the server on a port.</param>
    protected RedisTestServer(string? skipReason, Func<int, ProcessStartInfo> command)
    {
        _command = command;
        SkipReason = skipReason;
        if (skipReason is null)
        {
            Port = FreePort();
            Start();
        }
    }

    public string? SkipReason { get; }

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration of the server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        _process = Process.Start(_command(Port))!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!Answers())
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} did not start on port {Port}.");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the server (as a crash would); <see cref="Start"/> brings up an empty one on the same port.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        GC.SuppressFinalize(this);
    }

    protected static ProcessStartInfo Command(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    protected static string Invariant(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient { ReceiveTimeout = 2000 };
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("*1\r\n$4\r\nPING\r\n"u8);
            var buffer = new byte[7];
            return stream.Read(buffer) > 0 && buffer[0] == (byte)'+';
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
