using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Where a test's alerts go: a local HTTP receiver taking webhook (/hook) and Slack-shaped (/slack) posts, and a
/// local SMTP server (the SmtpServer package), each keeping what it received.
/// </summary>
public sealed class AlertReceivers : IAsyncDisposable
{
    private readonly WebApplication _http;
    private readonly CancellationTokenSource _stop = new();
    private Task _smtp = Task.CompletedTask;

    private AlertReceivers(WebApplication http, Uri address, int smtpPort)
    {
        _http = http;
        Address = address;
        SmtpPort = smtpPort;
    }

    public Uri Address { get; }

    public int SmtpPort { get; }

    /// <summary>Webhook posts: the body and the signature headers.</summary>
    public ConcurrentQueue<(JsonElement Body, string Raw, string? Timestamp, string? Signature)> Webhooks { get; } = new();

    public ConcurrentQueue<JsonElement> Slack { get; } = new();

    public ConcurrentQueue<MimeMessage> Mails { get; } = new();

    public static async Task<AlertReceivers> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var http = builder.Build();
        AlertReceivers? receivers = null;
        http.MapPost("/hook", async (HttpRequest request) =>
        {
            var raw = await new StreamReader(request.Body).ReadToEndAsync();
            receivers!.Webhooks.Enqueue((JsonDocument.Parse(raw).RootElement.Clone(), raw, request.Headers["X-SaasMonitor-Timestamp"], request.Headers["X-SaasMonitor-Signature"]));
            return Results.Ok();
        });
        http.MapPost("/slack", async (HttpRequest request) =>
        {
            receivers!.Slack.Enqueue((await JsonDocument.ParseAsync(request.Body)).RootElement.Clone());
            return Results.Text("ok");
        });
        await http.StartAsync();
        var address = new Uri(http.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        var smtpPort = FreePort();
        receivers = new AlertReceivers(http, address, smtpPort);
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(receivers.Mails));
        var smtp = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, smtpPort))).Build(), services);
        receivers._smtp = smtp.StartAsync(receivers._stop.Token);
        return receivers;
    }

    /// <summary>Every message of every receiver whose content names <paramref name="rule"/>, as "kind" values (firing, resolved, ...).</summary>
    public (List<string> Webhook, List<string> Slack, List<string> Mail) KindsOf(string rule) =>
        ([.. Webhooks.Where(w => w.Body.GetProperty("rule").GetString() == rule).Select(w => w.Body.GetProperty("kind").GetString()!)],
         [.. Slack.Select(s => s.GetProperty("text").GetString()!).Where(t => t.EndsWith("] " + rule, StringComparison.Ordinal)).Select(KindOfTitle)],
         [.. Mails.Select(m => m.Subject ?? "").Where(t => t.EndsWith("] " + rule, StringComparison.Ordinal)).Select(KindOfTitle)]);

    /// <summary><see cref="KindsOf"/> in words: "webhook: firing, resolved; slack: firing, resolved; mail: firing, resolved".</summary>
    public string Received(string rule)
    {
        var (webhook, slack, mail) = KindsOf(rule);
        return $"webhook: {string.Join(", ", webhook)}; slack: {string.Join(", ", slack)}; mail: {string.Join(", ", mail)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _smtp;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await _http.StopAsync();
        await _http.DisposeAsync();
        _stop.Dispose();
    }

    private static string KindOfTitle(string title) => title[1..title.IndexOf(']', StringComparison.Ordinal)].ToLowerInvariant();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
