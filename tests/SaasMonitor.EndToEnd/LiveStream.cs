using System.Net.ServerSentEvents;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>A client of the live tail stream (<c>GET /api/live</c>): open it, then wait for the events a test sent.</summary>
internal sealed class LiveStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _items;
    private readonly CancellationTokenSource _closed = new();

    private LiveStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _items = SseParser.Create(body).EnumerateAsync(_closed.Token).GetAsyncEnumerator(_closed.Token);
    }

    /// <summary>Opens the stream for <paramref name="query"/> and returns once the server confirmed the subscription.</summary>
    public static async Task<LiveStream> OpenAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/live?q=" + Uri.EscapeDataString(query), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var stream = new LiveStream(response, await response.Content.ReadAsStreamAsync());
        (await stream.NextAsync(TimeSpan.FromSeconds(30))).EventType.Should().Be("subscribed");
        return stream;
    }

    /// <summary>The next <paramref name="count"/> 'event' items, as JSON.</summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync(int count, TimeSpan timeout)
    {
        var events = new List<JsonElement>();
        var until = DateTime.UtcNow + timeout;
        while (events.Count < count)
        {
            var item = await NextAsync(until - DateTime.UtcNow);
            if (item.EventType == "event")
            {
                events.Add(JsonDocument.Parse(item.Data).RootElement.Clone());
            }
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        try
        {
            await _items.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
            // Closing the stream ends the read in progress.
        }

        _response.Dispose();
        _closed.Dispose();
    }

    private async Task<SseItem<string>> NextAsync(TimeSpan timeout)
    {
        var next = _items.MoveNextAsync().AsTask();
        if (await Task.WhenAny(next, Task.Delay(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero)) != next)
        {
            throw new TimeoutException($"No item on the live stream within {timeout.TotalSeconds:0} s.");
        }

        (await next).Should().BeTrue("the live stream runs until the client closes it");
        return _items.Current;
    }
}
