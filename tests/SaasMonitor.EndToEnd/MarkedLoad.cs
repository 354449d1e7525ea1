using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Ingest load whose every event carries a unique marker ("{service}-{batch}-{index}") in its message, so a test can
/// check that every acknowledged batch was indexed exactly once, whole.
/// </summary>
public sealed class MarkedLoad(string service, int eventsPerBatch)
{
    private int _next = -1;

    /// <summary>Batches the gateway answered 202 for.</summary>
    public ConcurrentBag<int> Acknowledged { get; } = [];

    public int AcknowledgedEvents => Acknowledged.Count * eventsPerBatch;

    /// <summary>Every tenth event of a batch is an error.</summary>
    public int AcknowledgedErrors => Acknowledged.Count * ((eventsPerBatch + 9) / 10);

    /// <summary>Sends batches from <paramref name="senders"/> concurrent senders until <paramref name="batches"/> were taken or the gateway stops answering.</summary>
    public Task SendAsync(HttpClient gateway, int senders, int batches, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(
            async () =>
            {
                int batch;
                while (!ct.IsCancellationRequested && (batch = Interlocked.Increment(ref _next)) < batches)
                {
                    try
                    {
                        using var response = await gateway.PostAsync("/api/ingest", Batch(batch), ct);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            Acknowledged.Add(batch);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            },
            CancellationToken.None)));

    public async Task<long> IndexedAsync(HttpClient dashboard) =>
        await TotalAsync(dashboard, $"/api/search?page_size=1&service={service}", "total");

    public static async Task<long> TotalAsync(HttpClient client, string path, string property)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync(path));
        return doc.RootElement.GetProperty(property).GetInt64();
    }

    /// <summary>Checks the index against what was acknowledged: each acknowledged batch present, whole, once.</summary>
    public async Task ShouldHoldEveryAcknowledgedEventOnceAsync(HttpClient dashboard)
    {
        var markers = await AllMessagesAsync(dashboard);
        markers.Should().OnlyHaveUniqueItems("no event is indexed twice");
        var batches = markers.GroupBy(m => m.Split('-')[1]).ToDictionary(g => int.Parse(g.Key, System.Globalization.CultureInfo.InvariantCulture), g => g.Count());
        batches.Keys.Should().Contain(Acknowledged, "every acknowledged batch is indexed");
        batches.Values.Should().OnlyContain(count => count == eventsPerBatch, "a batch is all there or not there at all");
    }

    private async Task<List<string>> AllMessagesAsync(HttpClient client)
    {
        var messages = new List<string>();
        string? cursor = null;
        do
        {
            using var doc = JsonDocument.Parse(await client.GetStringAsync(
                $"/api/search?service={service}&page_size=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            messages.AddRange(doc.RootElement.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("message").GetString()!));
            cursor = doc.RootElement.TryGetProperty("next_cursor", out var c) ? c.GetString() : null;
        }
        while (cursor is not null);

        return messages;
    }

    private StringContent Batch(int batch)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < eventsPerBatch; i++)
        {
            var error = i % 10 == 0;
            sb.Append("{\"service\":\"").Append(service).Append("\",\"level\":\"").Append(error ? "ERROR" : "INFO")
                .Append("\",\"endpoint\":\"/api/k\",\"status_code\":").Append(error ? 500 : 200)
                .Append(",\"response_time_ms\":12.5,\"message\":\"").Append(service).Append('-').Append(batch).Append('-').Append(i).Append("\"}\n");
        }

        return new StringContent(sb.ToString(), Encoding.UTF8, "application/x-ndjson");
    }
}
