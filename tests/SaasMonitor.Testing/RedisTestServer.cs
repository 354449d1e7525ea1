using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SaasMonitor.Testing;

/// <summary>
/// A real redis-server (Debian's package) on a free loopback port, without persistence, for the tests; it can be
/// stopped and started again on the same port to test an outage. Where redis-server is not installed,
/// <see cref="SkipReason"/> says so.
/// </summary>
public sealed class RedisTestServer : IDisposable
{
    public const string Program = "/usr/bin/redis-server";

    private Process? _process;

    public RedisTestServer()
    {
        if (!File.Exists(Program))
        {
            SkipReason = $"{Program} is not installed (apt-get install redis-server; .ci/run installs it)";
            return;
        }

        Port = FreePort();
        Start();
    }

    public string? SkipReason { get; }

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration of the server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        var info = new ProcessStartInfo(Program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!Answers())
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}.");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the server (as a crash would); <see cref="Start"/> brings up an empty one on the same port.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[7];
            return stream.Read(buffer) > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
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
