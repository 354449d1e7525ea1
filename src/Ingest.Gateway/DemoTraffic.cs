using Microsoft.Extensions.Logging;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;

namespace Ingest.Gateway;

/// <summary>Configuration section "SaasMonitor:Demo": synthetic SaaS traffic for trying the product (saasmon --demo).</summary>
public sealed class DemoOptions
{
    public const string Section = "SaasMonitor:Demo";

    /// <summary>Events per second; 0 turns the generator off.</summary>
    [Range(0, 1_000_000)]
    public int Rate { get; set; }
}

/// <summary>
/// Generates realistic SaaS request logs into the raw topic as JSON lines: several services and endpoints,
/// mostly 2xx with some 4xx and 5xx, log-normal response times with rare very slow requests, slow SQL queries,
/// users and tenants with a few heavy hitters, and an error burst on one service every few minutes.
/// </summary>
internal sealed partial class DemoTraffic(RawWriter writer, IOptions<DemoOptions> options, TimeProvider time, ILogger<DemoTraffic> log) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BurstEvery = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BurstLength = TimeSpan.FromSeconds(40);

    private static readonly (string Service, string Method, string Endpoint, string Ok, string Fail)[] Routes =
    [
        ("api", "GET", "/api/users", "Listed users", "Database connection timeout"),
        ("api", "GET", "/api/users/{id}", "Fetched user profile", "User lookup failed"),
        ("api", "POST", "/api/orders", "Order created", "Order creation failed: inventory service unavailable"),
        ("api", "GET", "/api/orders/{id}", "Fetched order", "Order not found"),
        ("auth", "POST", "/api/auth/login", "User login", "Login failed: invalid credentials"),
        ("auth", "POST", "/api/auth/refresh", "Token refreshed", "Token refresh failed: signature expired"),
        ("payments", "POST", "/api/payments", "Payment captured", "Payment failed: card declined"),
        ("payments", "POST", "/api/payments/refund", "Refund issued", "Refund failed: gateway timeout"),
        ("web", "GET", "/", "Served home page", "Template rendering error"),
        ("web", "GET", "/dashboard", "Served dashboard", "Dashboard widget failed to load"),
        ("search", "GET", "/api/search", "Search completed", "Search backend unavailable"),
        ("reports", "GET", "/api/reports/export", "Report exported", "Report generation out of memory"),
    ];

    private static readonly string[] Servers = ["prod-web-01", "prod-web-02", "prod-web-03", "prod-api-01", "prod-api-02"];
    private static readonly string[] Tenants = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"];
    private static readonly string[] Queries =
    [
        "SELECT * FROM orders WHERE tenant_id = $1 ORDER BY created_at DESC",
        "UPDATE users SET last_login = now() WHERE id = $1",
        "SELECT count(*) FROM events WHERE created_at > now() - interval '1 day'",
    ];

    private readonly Random _random = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rate = options.Value.Rate;
        if (rate == 0)
        {
            return;
        }

        LogDemoOn(log, rate, Routes.Length, string.Join(", ", Routes.Select(r => r.Service).Distinct()));

        using var timer = new PeriodicTimer(Tick, time);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
        var carry = 0.0;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            carry += rate * Tick.TotalSeconds;
            var count = (int)carry;
            carry -= count;
            if (count == 0)
            {
                continue;
            }

            buffer.ResetWrittenCount();
            Write(buffer, count, time.GetUtcNow());
            await writer.AppendAsync([new RawChunk(buffer.WrittenSpan.ToArray(), RawFormat.JsonLines, count)], "demo", fileId: null, key: null, stoppingToken).ConfigureAwait(false);
        }
    }

    private void Write(System.Buffers.ArrayBufferWriter<byte> buffer, int count, DateTimeOffset now)
    {
        var burstService = Routes[(int)(now.ToUnixTimeSeconds() / (long)BurstEvery.TotalSeconds) % Routes.Length].Service;
        var inBurst = now.ToUnixTimeSeconds() % (long)BurstEvery.TotalSeconds < BurstLength.TotalSeconds;
        using var json = new Utf8JsonWriter(buffer);
        for (var i = 0; i < count; i++)
        {
            var route = Routes[Skewed(Routes.Length)];
            var burst = inBurst && route.Service == burstService;
            var roll = _random.NextDouble();
            var status = roll < (burst ? 0.25 : 0.012) ? Pick(500, 502, 503, 504)
                : roll < (burst ? 0.3 : 0.06) ? Pick(400, 401, 403, 404, 409, 429)
                : route.Method == "POST" ? 201 : 200;
            var responseMs = Math.Exp(4.2 + (0.7 * Gaussian())) * (burst ? 6 : 1);
            if (_random.NextDouble() < 0.008)
            {
                responseMs = 2000 + (_random.NextDouble() * 8000);
            }

            var level = status >= 500 ? (_random.NextDouble() < 0.1 ? "CRITICAL" : "ERROR") : status >= 400 || responseMs > 2000 ? "WARNING" : _random.NextDouble() < 0.05 ? "DEBUG" : "INFO";
            json.Reset();
            json.WriteStartObject();
            json.WriteString("timestamp", now.AddMilliseconds(-_random.Next(100)));
            json.WriteString("log_type", route.Service);
            json.WriteString("level", level);
            json.WriteString("client_ip", $"203.0.113.{_random.Next(1, 255)}");
            json.WriteString("user_id", $"u-{Skewed(500) + 1:D4}");
            json.WriteString("tenant_id", Tenants[Skewed(Tenants.Length)]);
            json.WriteString("method", route.Method);
            json.WriteString("endpoint", route.Endpoint.Replace("{id}", _random.Next(1, 5000).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            json.WriteNumber("status_code", status);
            json.WriteNumber("response_time_ms", Math.Round(responseMs, 1));
            json.WriteString("message", status >= 400 ? route.Fail : responseMs > 2000 ? $"{route.Ok} (slow request)" : route.Ok);
            json.WriteString("server", Servers[_random.Next(Servers.Length)]);
            json.WriteString("trace_id", Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64())));
            if (_random.NextDouble() < 0.03)
            {
                json.WriteString("sql_query", Queries[_random.Next(Queries.Length)]);
                json.WriteNumber("query_duration_ms", Math.Round(responseMs * 0.8, 1));
            }

            json.WriteEndObject();
            json.Flush();
            System.Buffers.BuffersExtensions.Write(buffer, "\n"u8);
        }
    }

    private int Pick(params int[] values) => values[_random.Next(values.Length)];

    /// <summary>An index in [0, n) where low indexes are much more frequent (a few heavy users, hot endpoints).</summary>
    private int Skewed(int n) => (int)(n * Math.Pow(_random.NextDouble(), 2.2));

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo traffic is on: {Rate} synthetic events/s over {Endpoints} endpoints of the services {Services}, with an error burst every 5 minutes (--demo-rate N to change, leave --demo out to start empty)")]
    private static partial void LogDemoOn(ILogger logger, double rate, int endpoints, string services);
}
