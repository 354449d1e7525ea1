using System.Net.Sockets;

namespace SaasMonitor.Testing;

/// <summary>Whether a Docker engine answers on this machine, so suites for servers that cannot be installed here can start one.</summary>
public static class DockerEngine
{
    private const string Socket = "/var/run/docker.sock";

    public static async Task<bool> AnswersAsync()
    {
        if (!File.Exists(Socket))
        {
            return false;
        }

        using var socket = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Socket), timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
