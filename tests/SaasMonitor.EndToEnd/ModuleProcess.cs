using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// A SaasMonitor program (saasmon or one module's host) run as its own OS process from the build output next to
/// the tests, so it can be killed hard. Its last output lines are kept for failure messages.
/// </summary>
public sealed class ModuleProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private ModuleProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>A client for the process's own HTTP endpoints (health, metrics, API).</summary>
    public HttpClient Client { get; }

    /// <summary>Starts <paramref name="assembly"/> (e.g. "saasmon", "Parser.Worker") listening on a free loopback port.</summary>
    public static ModuleProcess Start(string assembly, params IEnumerable<string> args)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.ArgumentList.Add("--Serilog:MinimumLevel:Default=Warning");
        foreach (var arg in TestUsers.BootstrapSettings.Concat(InProcessHost.NoListeners).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var started = new ModuleProcess(assembly, process, port);
        process.OutputDataReceived += (_, e) => started.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string Output
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join(Environment.NewLine, _lastLines);
            }
        }
    }

    public async Task WaitReadyAsync() => await Eventually.HoldsAsync(
        async () =>
        {
            _process.HasExited.Should().BeFalse($"{Name} keeps running; it wrote:{Environment.NewLine}{Output}");
            try
            {
                return (await Client.GetAsync("/health/ready")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        },
        TimeSpan.FromSeconds(60),
        $"{Name} ready");

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Client.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 40)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
