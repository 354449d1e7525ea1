using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace SaasMonitor.Shippers;

/// <summary>The GELF inputs by their documented wire formats: UDP (plain, gzip, chunked zlib), TCP (NUL-delimited) and HTTP.</summary>
public sealed class GelfInputTests : IAsyncLifetime
{
    private readonly int _tcpPort = Ports.Free(SocketType.Stream, ProtocolType.Tcp);
    private readonly int _udpPort = Ports.Free(SocketType.Dgram, ProtocolType.Udp);
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await InProcessHost.StartAsync($"--SaasMonitor:Inputs:Gelf:TcpPort={_tcpPort}", $"--SaasMonitor:Inputs:Gelf:UdpPort={_udpPort}");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Udp_datagrams_plain_gzip_and_chunked_zlib_each_become_one_event()
    {
        var app = App();
        using var udp = new UdpClient();
        udp.Connect(IPAddress.Loopback, _udpPort);
        await udp.SendAsync(Message(app, "plain datagram", 6));
        await udp.SendAsync(Gzip(Message(app, "gzip datagram", 3)));
        var zlib = Zlib(Message(app, "chunked " + new string('z', 3000), 4, Random.Shared.GetHexString(4000)));
        var chunks = zlib.Chunk((zlib.Length / 3) + 1).ToList();
        var id = BitConverter.GetBytes(Random.Shared.NextInt64());
        foreach (var sequence in new[] { 2, 0, 1 })
        {
            await udp.SendAsync((byte[])[0x1e, 0x0f, .. id, (byte)sequence, (byte)chunks.Count, .. chunks[sequence]]);
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 3, TimeSpan.FromSeconds(30), "three GELF datagrams searchable");
        var levels = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray()
            .ToDictionary(h => h.GetProperty("message").GetString()![..8], h => h.GetProperty("level").GetString());
        levels.Should().Equal(new Dictionary<string, string?> { ["plain da"] = "INFO", ["gzip dat"] = "ERROR", ["chunked "] = "WARNING" });
    }

    [Fact]
    public async Task Tcp_messages_are_delimited_by_a_nul_byte()
    {
        var app = App();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _tcpPort);
        await using (var stream = tcp.GetStream())
        {
            await stream.WriteAsync((byte[])[.. Message(app, "first", 6), 0, .. Message(app, "second\nline", 5), 0]);
        }

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "two GELF TCP messages searchable");
    }

    [Fact]
    public async Task Http_takes_a_gzip_message_with_202_and_refuses_a_body_that_is_not_json_with_the_reason()
    {
        var app = App();
        using var gzip = new ByteArrayContent(Gzip(Message(app, "over http", 2)));
        gzip.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        gzip.Headers.ContentEncoding.Add("gzip");
        (await _host.Client.PostAsync("/gelf", gzip)).StatusCode.Should().Be(HttpStatusCode.Accepted);

        using var bad = new StringContent("{\"short_message\": ", Encoding.UTF8, "application/json");
        using var refused = await _host.Client.PostAsync("/gelf", bad);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("not valid JSON");

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 1, TimeSpan.FromSeconds(30), "the HTTP GELF message searchable");
        var hit = (await _host.GetJsonAsync("/api/search?service=" + app)).GetProperty("hits")[0];
        hit.GetProperty("level").GetString().Should().Be("CRITICAL");
        hit.GetProperty("server").GetString().Should().Be("gelf-host");
        hit.GetProperty("source").GetString().Should().Be("gelf");
    }

    private static string App() => "gelf" + Guid.NewGuid().ToString("N")[..10];

    private static byte[] Message(string app, string text, int level, string padding = "") => Encoding.UTF8.GetBytes(
        $$"""{"version":"1.1","host":"gelf-host","short_message":"{{text.Replace("\n", "\\n", StringComparison.Ordinal)}}","timestamp":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0}},"level":{{level}},"_app":"{{app}}","_padding":"{{padding}}"}""");

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.NoCompression))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }
}
