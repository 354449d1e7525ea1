using System.Net;
using System.Text;
using Snappier;

namespace SaasMonitor.Shippers;

/// <summary>Loki's push API by its documented wire formats: snappy-compressed protobuf (what Promtail, Alloy and Loki clients send) and JSON.</summary>
public sealed class LokiInputTests : IAsyncLifetime
{
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await InProcessHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_snappy_protobuf_push_gives_each_entry_its_time_labels_and_metadata()
    {
        var app = App();
        var push = Message(1, Message(
            (1, Text($$"""{app="{{app}}", host="node-1", env="prod \"eu\""}""")),
            (2, Entry(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero), "2024-03-14 13:45:00,123 ERROR [pool-1] Payment failed", ("trace_id", "abc123"))),
            (2, Entry(new DateTimeOffset(2024, 3, 14, 13, 45, 1, TimeSpan.Zero), "plain line without a level"))));

        using var answer = await PostAsync(Snappy.CompressToArray(push), "application/x-protobuf");

        answer.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "the two entries searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        var first = hits[0];
        first.GetProperty("timestamp").GetDateTimeOffset().Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        first.GetProperty("level").GetString().Should().Be("ERROR");
        first.GetProperty("message").GetString().Should().Contain("Payment failed");
        first.GetProperty("server").GetString().Should().Be("node-1");
        first.GetProperty("trace_id").GetString().Should().Be("abc123");
        first.GetProperty("source").GetString().Should().Be("loki");
        first.GetProperty("extra").GetProperty("env").GetString().Should().Be("prod \"eu\"");
        hits[1].GetProperty("timestamp").GetDateTimeOffset().Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 1, TimeSpan.Zero));
        hits[1].GetProperty("message").GetString().Should().Be("plain line without a level");
    }

    [Fact]
    public async Task A_json_push_takes_level_labels_and_a_bad_push_is_refused_with_the_reason()
    {
        var app = App();
        var json = """
            {"streams":[{"stream":{"service_name":"APP","level":"warn"},"values":[["1710423900000000000","disk 91% full"],["1710423901000000000","disk 95% full",{"user_id":"u7"}]]}]}
            """.Replace("APP", app, StringComparison.Ordinal);
        using var answer = await PostAsync(Encoding.UTF8.GetBytes(json), "application/json");
        answer.StatusCode.Should().Be(HttpStatusCode.NoContent);

        using var notSnappy = await PostAsync("not snappy"u8.ToArray(), "application/x-protobuf");
        notSnappy.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await notSnappy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("snappy");
        using var noStreams = await PostAsync("""{"values":[]}"""u8.ToArray(), "application/json");
        noStreams.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noStreams.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("streams");
        using var text = await PostAsync("line"u8.ToArray(), "text/plain");
        text.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await text.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("snappy-compressed protobuf");

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=" + app) == 2, TimeSpan.FromSeconds(30), "the two JSON entries searchable");
        var hits = (await _host.GetJsonAsync($"/api/search?service={app}&sort=oldest")).GetProperty("hits").EnumerateArray().ToList();
        hits.Should().OnlyContain(h => h.GetProperty("level").GetString() == "WARNING");
        hits[1].GetProperty("user_id").GetString().Should().Be("u7");
        hits[0].GetProperty("timestamp").GetDateTimeOffset().Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, TimeSpan.Zero));
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        return await _host.Client.PostAsync("/loki/api/v1/push", content, TestContext.Current.CancellationToken);
    }

    private static string App() => "loki" + Guid.NewGuid().ToString("N")[..10];

    // Loki's push.proto: PushRequest{1: streams}, StreamAdapter{1: labels, 2: entries}, EntryAdapter{1: timestamp, 2: line, 3: structuredMetadata},
    // Timestamp{1: seconds, 2: nanos}, LabelPairAdapter{1: name, 2: value}.
    private static byte[] Entry(DateTimeOffset time, string line, params (string Name, string Value)[] metadata)
    {
        var nanos = (int)(time.Ticks % TimeSpan.TicksPerSecond * 100);
        var fields = new List<(int, byte[])> { (1, Message((1, Varint((ulong)time.ToUnixTimeSeconds())), (2, Varint((ulong)nanos)))), (2, Text(line)) };
        fields.AddRange(metadata.Select(m => (3, Message((1, Text(m.Name)), (2, Text(m.Value))))));
        return Message([.. fields]);
    }

    private static byte[] Message(int field, byte[] value) => Message((field, value));

    /// <summary>Fields whose value is a <see cref="Varint"/> marker are written as varints; every other value as length-delimited bytes.</summary>
    private static byte[] Message(params (int Field, byte[] Value)[] fields)
    {
        var bytes = new List<byte>();
        foreach (var (field, value) in fields)
        {
            if (value is [VarintMarker, .. var varint])
            {
                bytes.AddRange(Encode((ulong)field << 3));
                bytes.AddRange(varint);
            }
            else
            {
                bytes.AddRange(Encode(((ulong)field << 3) | 2));
                bytes.AddRange(Encode((ulong)value.Length));
                bytes.AddRange(value);
            }
        }

        return [.. bytes];
    }

    private const byte VarintMarker = 0xFF;

    private static byte[] Varint(ulong value) => [VarintMarker, .. Encode(value)];

    private static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    private static byte[] Encode(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
