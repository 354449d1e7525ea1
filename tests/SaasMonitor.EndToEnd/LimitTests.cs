using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.EndToEnd;

/// <summary>Uploads past SaasMonitor:Ingest:MaxUploadBytes and records past ChunkBytes are refused with 413, URIs past 8 KiB with 414.</summary>
public sealed class LimitTests(LimitTests.SmallLimitsHost fixture) : IClassFixture<LimitTests.SmallLimitsHost>
{
    private const int Limit = 64 * 1024;
    private const int ChunkBytes = 4096;
    private readonly InProcessHost _host = fixture.Host;

    [Fact]
    public async Task A_file_over_the_limit_is_refused_with_413_and_marked_as_an_error()
    {
        var lines = new StringBuilder();
        for (var i = 0; lines.Length <= 3 * Limit; i++)
        {
            lines.Append("2024-01-15 10:30:00 INFO over-limit line ").Append(i).Append('\n');
        }

        using var response = await _host.UploadAsync("too-big.log", Encoding.UTF8.GetBytes(lines.ToString()));
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge, body);
        JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString().Should().Contain($"limit of {Limit} bytes");
        var file = (await _host.GetJsonAsync("/api/files")).GetProperty("files").EnumerateArray()
            .Single(f => f.GetProperty("filename").GetString() == "too-big.log");
        file.GetProperty("status").GetString().Should().Be("error");
        file.GetProperty("error").GetString().Should().Contain("limit");
    }

    [Fact]
    public async Task A_chunked_upload_refused_for_size_leaves_nothing_written_indexed_or_counted()
    {
        var lines = new StringBuilder();
        for (var i = 0; lines.Length <= 3 * Limit; i++)
        {
            lines.Append("2024-01-15 10:30:00 INFO chunked-over-limit line ").Append(i).Append('\n');
        }

        var held = await RawRecordsHeldAsync();
        using var form = new MultipartFormDataContent();

        // A stream of unknown length: the request is sent chunked, with no Content-Length to refuse it by.
        var file = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(lines.ToString())));
        file.Headers.ContentType = new("application/octet-stream");
        form.Add(file, "file", "chunked-too-big.log");
        using var response = await _host.Client.PostAsync("/api/upload", form);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        response.RequestMessage!.Content!.Headers.ContentLength.Should().BeNull("the upload was chunked");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString().Should().Contain("Nothing of the file was accepted");
        (await RawRecordsHeldAsync()).Should().Be(held, "nothing of a refused upload reaches the bus, so nothing is indexed or counted");
        (await _host.TotalAsync("q=" + Uri.EscapeDataString("\"chunked-over-limit\""))).Should().Be(0);
    }

    private async Task<long> RawRecordsHeldAsync() =>
        (await _host.Services.GetRequiredService<IMessageBus>().GetWatermarksAsync(Topics.Raw, CancellationToken.None)).Sum(w => w.High);

    /// <summary>Bytes read as a stream that cannot tell its length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(60_000)]
    public async Task A_uri_over_the_limit_is_refused_with_414_the_reason_and_the_security_headers(int length)
    {
        using var response = await _host.Client.GetAsync("/api/search?q=" + new string('a', length));

        response.StatusCode.Should().Be(HttpStatusCode.RequestUriTooLong);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString().Should().Contain("over the limit of 8192");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.Contains("Content-Security-Policy").Should().BeTrue("a refusal carries the security headers like every other answer");
    }

    [Fact]
    public async Task A_file_within_the_limit_is_accepted()
    {
        using var response = await _host.UploadAsync("small.jsonl", """{"message":"small upload","service":"limits"}"""u8.ToArray());

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=limits") == 1, TimeSpan.FromSeconds(20), "the small file's event searchable");
    }

    [Fact]
    public async Task A_record_larger_than_ChunkBytes_is_refused_with_413_even_when_the_body_arrives_in_one_read()
    {
        var big = $$"""{"message":"{{new string('x', ChunkBytes)}}","service":"limits-big"}""";

        using var response = await _host.IngestAsync("""{"message":"small","service":"limits-big"}""" + "\n" + big + "\n", "application/x-ndjson");

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain($"limit of {ChunkBytes} bytes");
        (await _host.TotalAsync("service=limits-big")).Should().Be(0, "a refused batch is refused whole");
    }

    public sealed class SmallLimitsHost() : HostFixture($"--SaasMonitor:Ingest:MaxUploadBytes={Limit}", $"--SaasMonitor:Ingest:ChunkBytes={ChunkBytes}");
}
