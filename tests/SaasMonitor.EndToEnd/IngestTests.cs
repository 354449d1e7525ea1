using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;

namespace SaasMonitor.EndToEnd;

/// <summary>The ingest endpoint's answers to good and bad input; nothing accepted before a bad request is lost.</summary>
public sealed class IngestTests : IAsyncLifetime
{
    private const int BodyLimit = 2 * 1024 * 1024;
    private InProcessHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await InProcessHost.StartAsync($"--SaasMonitor:Ingest:MaxBodyBytes={BodyLimit}", "--SaasMonitor:Ingest:MaxDecompressedBytes=524288");

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_json_lines_batch_is_acknowledged_with_its_count_and_becomes_searchable()
    {
        var body = string.Join('\n', Enumerable.Range(0, 100).Select(i => $$"""{"level":"warn","message":"jsonl event {{i}}","service":"billing","status_code":503}"""));
        var ack = await PostAsync(body, "application/x-ndjson");
        ack.StatusCode.Should().Be(HttpStatusCode.Accepted);
        JsonDocument.Parse(await ack.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt64().Should().Be(100);

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=billing&level=WARNING") == 100, TimeSpan.FromSeconds(20), "100 billing warnings searchable");
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_and_earlier_batches_stay()
    {
        (await PostAsync("""{"message":"kept before the big one","service":"keep413"}""", "application/json")).StatusCode.Should().Be(HttpStatusCode.Accepted);

        var big = new string('x', BodyLimit + 1024);
        var response = await PostAsync(big, "text/plain");
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain("limit");

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=keep413") == 1, TimeSpan.FromSeconds(20), "the earlier event searchable");
    }

    [Fact]
    public async Task Malformed_json_is_refused_whole_with_400_and_a_reason()
    {
        var held = await RawRecordsHeldAsync();
        var response = await PostAsync("""[{"message":"fine","service":"malformed400"}, {"message": ]""", "application/json");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("not valid JSON");
        (await RawRecordsHeldAsync()).Should().Be(held, "nothing of a refused batch is written");
    }

    [Fact]
    public async Task A_csv_with_an_unterminated_quote_is_refused_with_400()
    {
        var response = await PostAsync("timestamp,level,message\n2024-01-15T10:30:00Z,INFO,\"never closed\n", "text/csv");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("quote");
    }

    [Fact]
    public async Task Unparseable_records_reach_the_dead_letter_topic_with_their_bytes_and_reason_while_the_rest_are_indexed()
    {
        const string badRow = "2024-01-15T10:30:02Z,ERROR,only three columns";
        var csv = $"timestamp,level,message,service\n2024-01-15T10:30:00Z,INFO,good one,dlqcsv\n{badRow}\n2024-01-15T10:30:01Z,ERROR,good two,dlqcsv\n";
        (await PostAsync(csv, "text/csv")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        const string badLine = """{"message": "broken""";
        (await PostAsync($$"""{"message":"good three","service":"dlqcsv"}""" + "\n" + badLine + "\n", "application/x-ndjson")).StatusCode.Should().Be(HttpStatusCode.Accepted);

        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=dlqcsv") == 3, TimeSpan.FromSeconds(20), "the three good records indexed");

        var bus = _host.Services.GetRequiredService<IMessageBus>();
        await using var consumer = bus.Subscribe("test-dlq-reader", [Topics.DeadLetter]);
        var dead = new List<ConsumedMessage>();
        await Eventually.HoldsAsync(
            async () =>
            {
                dead.AddRange(await consumer.ConsumeAsync(100, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));
                return dead.Count >= 2;
            },
            TimeSpan.FromSeconds(20),
            "two dead letters");

        var values = dead.Select(d => Encoding.UTF8.GetString(d.Value.Span).TrimEnd('\r', '\n')).ToList();
        values.Should().Contain(badRow).And.Contain(badLine);
        dead.Should().OnlyContain(d => !string.IsNullOrEmpty(d.Header(DeadLetterHeaders.ErrorMessage))
            && d.Header(DeadLetterHeaders.OriginTopic) == Topics.Raw
            && d.Header(DeadLetterHeaders.OriginOffset) != null);
    }

    [Fact]
    public async Task An_unknown_content_type_is_refused_with_415_and_the_reason_unless_format_names_the_format()
    {
        using var refused = await PostAsync("<xml/>", "application/xml");
        refused.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("?format=").And.Contain("application/xml");

        using var content = new StringContent("2024-03-14T13:45:00Z WARN format wins over the content type", Encoding.UTF8);
        content.Headers.ContentType = new("application/xml");
        using var accepted = await _host.Client.PostAsync("/api/ingest?format=text&source=formatwins", content);
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("q=" + Uri.EscapeDataString("source:formatwins AND level:WARNING")) == 1, TimeSpan.FromSeconds(20), "the line read as text");
    }

    [Fact]
    public async Task A_truncated_or_corrupt_gzip_body_is_refused_with_400_and_nothing_of_it_is_written()
    {
        var text = string.Join('\n', Enumerable.Range(0, 2_000).Select(i => $"2024-03-14T13:45:00Z INFO gzip line {i} of the truncation test"));
        byte[] whole;
        using (var compressed = new MemoryStream())
        {
            await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(text));
            }

            whole = compressed.ToArray();
        }

        var corrupt = whole.ToArray();
        corrupt[^6] ^= 0xff;
        var held = await RawRecordsHeldAsync();
        foreach (var body in new[] { whole[..(whole.Length / 2)], whole[..^4], corrupt })
        {
            using var refused = await PostGzipAsync(body);
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await refused.Content.ReadAsStringAsync()).Should().Contain("gzip body is truncated or corrupt");
        }

        (await RawRecordsHeldAsync()).Should().Be(held, "nothing of a refused gzip body is written");
        using var accepted = await PostGzipAsync(whole);
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt64().Should().Be(2_000);
    }

    [Fact]
    public async Task A_batch_retried_with_its_idempotency_key_is_answered_again_and_written_once()
    {
        const string batch = """
            {"message":"idempotent one","service":"idem"}
            {"message":"idempotent two","service":"idem"}
            """;
        var key = Guid.NewGuid().ToString();
        var held = await RawRecordsHeldAsync();

        using var first = await PostWithKeyAsync(batch, key);
        using var retry = await PostWithKeyAsync(batch, key);
        using var reused = await PostWithKeyAsync("""{"message":"other content","service":"idem"}""", key);
        using var tooLong = await PostWithKeyAsync(batch, new string('k', 256));

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        retry.StatusCode.Should().Be(HttpStatusCode.Accepted);
        retry.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        (await retry.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        reused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await reused.Content.ReadAsStringAsync()).Should().Contain("other content");
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await RawRecordsHeldAsync()).Should().Be(held + 1, "the batch is one raw record, written once");
        await Eventually.HoldsAsync(async () => await _host.TotalAsync("service=idem") == 2, TimeSpan.FromSeconds(20), "the batch's two events searchable");
    }

    [Fact]
    public async Task A_key_held_by_a_request_still_writing_is_refused_with_409_and_one_left_in_doubt_by_a_stopped_gateway_is_written_again()
    {
        const string batch = """{"message":"held key","service":"idem-held"}""";
        var store = _host.Services.GetRequiredService<IMetadataStore>();
        var ct = CancellationToken.None;
        var first = Guid.NewGuid().ToString();
        using (var written = await PostWithKeyAsync(batch, first))
        {
            written.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        var fingerprint = (await store.GetIngestReceiptAsync("http\n" + first, ct))!.Fingerprint;
        var (writing, inDoubt) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var now = DateTimeOffset.UtcNow;
        // What another gateway replica keeps while it writes the same batch; and what one killed while writing leaves behind.
        await store.KeepIngestReceiptAsync(new IngestReceipt("http\n" + writing, fingerprint, 1, 1, now, Written: false), now.AddDays(-1), ct);
        await store.KeepIngestReceiptAsync(new IngestReceipt("http\n" + inDoubt, fingerprint, 1, 1, now.AddMinutes(-6), Written: false), now.AddDays(-1), ct);
        var held = await RawRecordsHeldAsync();

        using var inProgress = await PostWithKeyAsync(batch, writing);
        inProgress.StatusCode.Should().Be(HttpStatusCode.Conflict, await inProgress.Content.ReadAsStringAsync());
        (await RawRecordsHeldAsync()).Should().Be(held, "nothing is written while another request holds the key");

        using var rewritten = await PostWithKeyAsync(batch, inDoubt);
        rewritten.StatusCode.Should().Be(HttpStatusCode.Accepted, await rewritten.Content.ReadAsStringAsync());
        (await RawRecordsHeldAsync()).Should().Be(held + 1, "a key left in doubt is written again, at least once");
        (await store.GetIngestReceiptAsync("http\n" + inDoubt, ct))!.Written.Should().BeTrue();
        using var replayed = await PostWithKeyAsync(batch, inDoubt);
        replayed.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        (await RawRecordsHeldAsync()).Should().Be(held + 1);
    }

    private async Task<HttpResponseMessage> PostWithKeyAsync(string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Add("Idempotency-Key", key);
        return await _host.Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostGzipAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("text/plain");
        content.Headers.ContentEncoding.Add("gzip");
        return await _host.Client.PostAsync("/api/ingest", content);
    }

    private async Task<long> RawRecordsHeldAsync() =>
        (await _host.Services.GetRequiredService<IMessageBus>().GetWatermarksAsync(Topics.Raw, CancellationToken.None)).Sum(w => w.High);

    private Task<HttpResponseMessage> PostAsync(string body, string contentType) => _host.IngestAsync(body, contentType);
}
