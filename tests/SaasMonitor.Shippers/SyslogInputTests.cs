using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace SaasMonitor.Shippers;

/// <summary>The syslog listeners against util-linux's <c>logger</c>: UDP and TCP, RFC 5424 and RFC 3164, both TCP framings.</summary>
public sealed class SyslogInputTests : IAsyncLifetime
{
    private readonly int _tcpPort = Ports.Free(SocketType.Stream, ProtocolType.Tcp);
    private readonly int _udpPort = Ports.Free(SocketType.Dgram, ProtocolType.Udp);
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await InProcessHost.StartAsync($"--SaasMonitor:Inputs:Syslog:TcpPort={_tcpPort}", $"--SaasMonitor:Inputs:Syslog:UdpPort={_udpPort}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("--udp", "--rfc5424")]
    [InlineData("--udp", "--rfc3164")]
    [InlineData("--tcp", "--rfc5424")]
    [InlineData("--tcp", "--rfc3164")]
    [InlineData("--tcp --octet-count", "--rfc5424")]
    public async Task A_message_from_logger_arrives_with_its_level_host_app_and_text(string transport, string format)
    {
        var app = "app" + Guid.NewGuid().ToString("N")[..10];
        var port = transport.StartsWith("--udp", StringComparison.Ordinal) ? _udpPort : _tcpPort;

        await RunAsync("logger", [.. transport.Split(' '), format, "-n", "127.0.0.1", "-P", $"{port}", "-t", app, "--id=4242", "-p", "local3.err", "disk full on /var"]);

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 1, TimeSpan.FromSeconds(30), $"the message from logger {transport} {format} searchable");
        var hit = (await _host.GetJsonAsync("/api/search?service=" + app)).GetProperty("hits")[0];
        hit.GetProperty("level").GetString().Should().Be("ERROR");
        hit.GetProperty("message").GetString().Should().Be("disk full on /var");
        hit.GetProperty("server").GetString().Should().Be(Dns.GetHostName());
        hit.GetProperty("source").GetString().Should().Be("syslog");
        hit.GetProperty("extra").GetProperty("facility").GetString().Should().Be("local3");
        if (format == "--rfc5424")
        {
            hit.GetProperty("extra").GetProperty("proc_id").GetString().Should().Be("4242");
            hit.GetProperty("timestamp").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2));
        }
    }

    [Fact]
    public async Task Many_messages_over_one_tcp_connection_all_arrive_in_order()
    {
        var app = "bulk" + Guid.NewGuid().ToString("N")[..10];
        var file = Path.Combine(Path.GetTempPath(), app + ".txt");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 500).Select(i => $"line {i:D3}"));
        try
        {
            await RunAsync("logger", ["--tcp", "--rfc5424", "-n", "127.0.0.1", "-P", $"{_tcpPort}", "-t", app, "-f", file]);
        }
        finally
        {
            File.Delete(file);
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 500, TimeSpan.FromSeconds(30), "500 messages searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&page_size=500&sort=oldest")).GetProperty("hits").EnumerateArray();
        hits.Select(h => h.GetProperty("message").GetString()).Should().BeEquivalentTo(Enumerable.Range(0, 500).Select(i => $"line {i:D3}"));
    }

    [Fact]
    public async Task Rsyslog_forwarding_to_the_tcp_listener_delivers_what_its_local_socket_received()
    {
        if (!File.Exists("/usr/sbin/rsyslogd"))
        {
            Assert.Skip("rsyslogd (Debian package rsyslog) is not installed; .ci/run installs it");
        }

        var app = "rs" + Guid.NewGuid().ToString("N")[..10];
        var dir = Directory.CreateTempSubdirectory("saasmon-rsyslog-").FullName;
        var socket = Path.Combine(dir, "log.sock");
        await File.WriteAllTextAsync(Path.Combine(dir, "rsyslog.conf"), $$"""
            global(workDirectory="{{dir}}")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imuxsock" Socket="{{socket}}")
            *.* action(type="omfwd" target="127.0.0.1" port="{{_tcpPort}}" protocol="tcp" template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted")
            """);
        var info = new ProcessStartInfo("/usr/sbin/rsyslogd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-n", "-f", Path.Combine(dir, "rsyslog.conf"), "-i", Path.Combine(dir, "rsyslogd.pid") })
        {
            info.ArgumentList.Add(arg);
        }

        using var rsyslog = Process.Start(info)!;
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(socket)), TimeSpan.FromSeconds(20), "rsyslogd listening on its socket");
            await RunAsync("logger", ["-u", socket, "-t", app, "-p", "daemon.warning", "forwarded by rsyslog"]);

            await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 1, TimeSpan.FromSeconds(30), "the forwarded message searchable");
            var hit = (await _host.GetJsonAsync("/api/search?service=" + app)).GetProperty("hits")[0];
            hit.GetProperty("level").GetString().Should().Be("WARNING");
            hit.GetProperty("message").GetString().Should().Be("forwarded by rsyslog");
            hit.GetProperty("extra").GetProperty("facility").GetString().Should().Be("daemon");
        }
        finally
        {
            rsyslog.Kill();
            await rsyslog.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_that_is_taken_stops_the_start_with_the_reason()
    {
        var act = async () => await InProcessHost.StartAsync($"--SaasMonitor:Inputs:Syslog:TcpPort={_tcpPort}");

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage($"*SaasMonitor:Inputs:Syslog:TcpPort {_tcpPort} cannot be bound*");
    }

    private static async Task RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, $"{program} {string.Join(' ', args)} failed: {error}");
    }
}
