using System.Net;
using System.Net.Sockets;

namespace SaasMonitor.Shippers;

public static class Ports
{
    /// <summary>A port free on loopback for the given protocol right now.</summary>
    public static int Free(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
