using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using SaasMonitor.Core.Alerting;

namespace Alerting.Worker;

/// <summary>Sends one message to one channel: a signed JSON webhook, a Slack Block Kit message, or a plain-text e-mail.</summary>
public sealed class Notifier(IHttpClientFactory http, ChannelSecrets secrets, TimeProvider time)
{
    /// <summary>The named HTTP client whose connections go through <see cref="TargetGuard"/>.</summary>
    public const string HttpClientName = "alerting";

    public const string SignatureHeader = "X-SaasMonitor-Signature";
    public const string TimestampHeader = "X-SaasMonitor-Timestamp";

    /// <summary>
    /// The message's delivery id, the same on every attempt to send it (webhook header; the e-mail's Message-ID is built
    /// from it), so a receiver can drop a message sent again after the worker was killed between sending and recording.
    /// </summary>
    public const string DeliveryHeader = "X-SaasMonitor-Delivery";

    /// <exception cref="Exception">The channel refused or could not be reached; the message says why.</exception>
    public Task SendAsync(AlertChannel channel, AlertMessage message, string deliveryId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        return channel.Type switch
        {
            ChannelType.Webhook => PostAsync(channel.Url!, message.ToJson(), secrets.Unprotect(channel.ProtectedSecret), deliveryId, ct),
            ChannelType.Slack => PostAsync(channel.Url!, SlackBody(message).ToJsonString(), null, deliveryId, ct),
            _ => MailAsync(channel, message, deliveryId, ct),
        };
    }

    /// <summary>The signature of a webhook body: <c>t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}</c>, as Stripe signs.</summary>
    public static string Sign(string secret, long timestamp, string body) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}")))}";

    /// <summary>A Block Kit message: a header, the condition and instances, the sample events as preformatted text, a link.</summary>
    public static JsonObject SlackBody(AlertMessage m)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(m.Title) },
            new JsonObject { ["type"] = "section", ["text"] = Markdown($"*Condition:* {Escape(m.Condition)}\n{Escape(Describe(m))}") },
        };
        if (m.SampleEvents.Count > 0)
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown("```" + Escape(string.Join('\n', m.SampleEvents)).Replace("```", "'''", StringComparison.Ordinal) + "```") });
        }

        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Markdown($"<{m.Link}|Open the search> · {m.At:u}")) });
        return new JsonObject { ["text"] = m.Title, ["blocks"] = blocks };
    }

    /// <summary>The plain-text body of an e-mail (log content stays text: no HTML part is sent).</summary>
    public static string MailBody(AlertMessage m)
    {
        var body = new StringBuilder()
            .AppendLine(m.Title)
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Condition: {m.Condition}")
            .AppendLine(CultureInfo.InvariantCulture, $"At: {m.At:u}")
            .AppendLine(Describe(m))
            .AppendLine(CultureInfo.InvariantCulture, $"Search: {m.Link}");
        if (m.SampleEvents.Count > 0)
        {
            body.AppendLine().AppendLine("First matching events:");
            foreach (var e in m.SampleEvents)
            {
                body.AppendLine(e);
            }
        }

        return body.ToString();
    }

    private static string Describe(AlertMessage m) => string.Join('\n', m.Instances.Select(i =>
        $"{(i.GroupKey.Length > 0 ? i.GroupKey : "value")}: {i.Value?.ToString(CultureInfo.InvariantCulture) ?? "no value"} ({i.State}){(i.Error is null ? "" : " " + i.Error)}"));

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text.Length > 150 ? text[..150] : text };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text.Length > 3000 ? text[..3000] : text };

    /// <summary>Slack's three control characters in message text.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private async Task PostAsync(string url, string body, string? secret, string deliveryId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(DeliveryHeader, deliveryId);
        if (secret is not null)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        }

        using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {(text.Length > 200 ? text[..200] : text)}");
        }
    }

    private async Task MailAsync(AlertChannel channel, AlertMessage m, string deliveryId, CancellationToken ct)
    {
        using var mail = new MimeMessage();
        var from = MailboxAddress.Parse(channel.From!);
        mail.From.Add(from);
        mail.MessageId = $"saasmon-alert-{deliveryId}@{from.Domain}";
        foreach (var to in channel.To)
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        mail.Subject = m.Title;
        mail.Body = new TextPart("plain") { Text = MailBody(m) };
        using var smtp = new SmtpClient { Timeout = 30_000 };
        var security = channel.SmtpSecurity switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        await smtp.ConnectAsync(channel.SmtpHost!, channel.SmtpPort, security, ct).ConfigureAwait(false);
        if (channel.SmtpUser is { Length: > 0 } user)
        {
            await smtp.AuthenticateAsync(user, secrets.Unprotect(channel.ProtectedSecret) ?? "", ct).ConfigureAwait(false);
        }

        await smtp.SendAsync(mail, ct).ConfigureAwait(false);
        await smtp.DisconnectAsync(quit: true, ct).ConfigureAwait(false);
    }
}
