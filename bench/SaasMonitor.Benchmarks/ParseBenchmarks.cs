using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Parser.Worker;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Parsing throughput per format over a fixed batch of <see cref="Lines"/> lines (one raw record each run), against
/// the limit of the stage: a bare <see cref="Utf8JsonReader"/> token scan of the JSON lines batch (the baseline).
/// lines/s = Lines / Mean; allocated bytes per line = Allocated / Lines. The "events dropped" rows hand each event to
/// a sink that lets it go at once: the parser's own cost, without the garbage collector moving a batch that is kept.
/// </summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    public const int Lines = 10_000;

    private static readonly string[] Services = ["api", "database", "web", "auth", "payments", "search"];
    private static readonly string[] Levels = ["INFO", "INFO", "INFO", "info", "WARNING", "warn", "ERROR", "DEBUG"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
    private static readonly string[] Endpoints =
        ["/api/users", "/api/orders", "/api/login", "/api/search", "/api/products", "/api/cart", "/api/checkout", "/health", "/api/reports", "/api/settings"];
    private static readonly string[] Agents =
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "curl/8.4.0", "python-requests/2.31", "okhttp/4.12.0"];
    private static readonly string[] Messages =
        ["User login success", "Order created", "Cache miss for key", "Slow query detected", "Rate limit approaching", "Null pointer exception", "Payment declined by issuer"];

    /// <summary>An in-house text format the general rules cannot read, described by a configured named pattern.</summary>
    private static readonly ParsingOptions ShopFormat = new()
    {
        Patterns =
        {
            ["SHOP"] = @"%{HOSTNAME:host}\|%{TIMESTAMP_ISO8601:timestamp}\|%{LOGLEVEL:level}\|%{WORD:method} %{URIPATH:endpoint}\|took %{NUMBER:response_time_ms}ms\|user=%{USER:user_id}\|%{GREEDYDATA:message}",
        },
        Sources = { ["shop"] = new SourceParsing { Pattern = "SHOP" } },
    };

    private readonly LogParser _parser = new();
    private readonly LogParser _patterned = new(linePatterns: ShopFormat.SourcePatterns());
    private readonly RawContext _shopContext = new(0, 0, "shop", null, DateTimeOffset.UnixEpoch);
    private readonly List<LogEvent> _events = new(Lines);
    private readonly List<ParseFailure> _failures = [];
    private readonly DroppingSink _dropped = new();
    private readonly RawContext _context = new(0, 0, "bench", null, DateTimeOffset.UnixEpoch);
    private byte[] _jsonLines = [];
    private byte[] _csv = [];
    private byte[] _apache = [];
    private byte[] _syslog = [];
    private byte[] _loghub = [];
    private byte[] _ecs = [];
    private byte[] _otlp = [];
    private byte[] _loki = [];
    private byte[] _shop = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var start = new DateTime(2025, 11, 3, 0, 0, 0, DateTimeKind.Utc);
        var json = new StringBuilder();
        var ecs = new StringBuilder();
        var otlp = new StringBuilder();
        var loki = new StringBuilder();
        var shop = new StringBuilder();
        var csv = new StringBuilder("timestamp,log_type,level,client_ip,user_id,method,endpoint,status_code,response_time_ms,user_agent,message,sql_query,query_duration_ms,server,tenant_id\n");
        for (var i = 0; i < Lines; i++)
        {
            var row = Row.Random(random, start.AddMilliseconds(i * 37));
            json.Append(row.ToJson()).Append('\n');
            csv.Append(row.ToCsv()).Append('\n');
            ecs.Append(row.ToEcs()).Append('\n');
            otlp.Append(row.ToOtlp()).Append('\n');
            loki.Append(row.ToLoki()).Append('\n');
            shop.Append(row.ToShopLine()).Append('\n');
        }

        _jsonLines = Encoding.UTF8.GetBytes(json.ToString());
        _csv = Encoding.UTF8.GetBytes(csv.ToString());
        _ecs = Encoding.UTF8.GetBytes(ecs.ToString());
        _otlp = Encoding.UTF8.GetBytes(otlp.ToString());
        _loki = Encoding.UTF8.GetBytes(loki.ToString());
        _shop = Encoding.UTF8.GetBytes(shop.ToString());
        _apache = File.ReadAllBytes(BenchData.PathOf("apache", "apache_combined_10k.log"));
        var ssh = File.ReadAllText(BenchData.PathOf("loghub", "OpenSSH_2k.log")).TrimEnd('\n') + "\n";
        _syslog = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(ssh, Lines / 2_000)));

        // Five of the six loghub systems (10,000 lines, each layout read by the general recognisers).
        _loghub = Encoding.UTF8.GetBytes(string.Concat(new[] { "Apache", "HDFS", "HealthApp", "Linux", "Spark" }
            .Select(system => File.ReadAllText(BenchData.PathOf("loghub", $"{system}_2k.log")).TrimEnd('\n') + "\n")));
        foreach (var (payload, format) in new[] { (_jsonLines, RawFormat.JsonLines), (_csv, RawFormat.Csv), (_apache, RawFormat.Apache), (_syslog, RawFormat.Text), (_loghub, RawFormat.Text), (_ecs, RawFormat.Ecs), (_otlp, RawFormat.Otlp), (_loki, RawFormat.Loki) })
        {
            if (Parse(payload, format) != Lines || _failures.Count != 0)
            {
                throw new InvalidOperationException($"{format} batch did not parse into {Lines} events");
            }
        }

        if (ParseShop() != Lines || _failures.Count != 0 || _events.Any(e => e.Endpoint is null || e.UserId is null))
        {
            throw new InvalidOperationException($"the named pattern did not read {Lines} events with their fields");
        }
    }

    [Benchmark(Baseline = true, Description = "raw Utf8JsonReader scan (JSON lines)")]
    public int RawJsonScan()
    {
        var reader = new Utf8JsonReader(_jsonLines, new JsonReaderOptions { AllowMultipleValues = true });
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark(Description = "Parse JSON lines")]
    public int ParseJsonLines() => Parse(_jsonLines, RawFormat.JsonLines);

    [Benchmark(Description = "Parse CSV 15 columns")]
    public int ParseCsv15() => Parse(_csv, RawFormat.Csv);

    [Benchmark(Description = "Parse JSON lines, events dropped")]
    public int ParseJsonLinesDropped() => ParseDropped(_jsonLines, RawFormat.JsonLines);

    [Benchmark(Description = "Parse CSV 15 columns, events dropped")]
    public int ParseCsv15Dropped() => ParseDropped(_csv, RawFormat.Csv);

    [Benchmark(Description = "Parse Apache combined (real)")]
    public int ParseApacheCombined() => Parse(_apache, RawFormat.Apache);

    [Benchmark(Description = "Parse syslog text (OpenSSH)")]
    public int ParseSyslogText() => Parse(_syslog, RawFormat.Text);

    [Benchmark(Description = "Parse text, 5 loghub layouts (real)")]
    public int ParseLoghubText() => Parse(_loghub, RawFormat.Text);

    [Benchmark(Description = "Parse Elasticsearch ECS documents (nested)")]
    public int ParseEcs() => Parse(_ecs, RawFormat.Ecs);

    [Benchmark(Description = "Parse OTLP log records")]
    public int ParseOtlp() => Parse(_otlp, RawFormat.Otlp);

    [Benchmark(Description = "Parse Loki entries (labels, text line)")]
    public int ParseLoki() => Parse(_loki, RawFormat.Loki);

    [Benchmark(Description = "Parse text with a configured named pattern")]
    public int ParseShop()
    {
        _events.Clear();
        _failures.Clear();
        _patterned.Parse(_shop, RawFormat.Text, _shopContext, _events, _failures);
        return _events.Count;
    }

    private int Parse(byte[] payload, RawFormat format)
    {
        _events.Clear();
        _failures.Clear();
        _parser.Parse(payload, format, _context, _events, _failures);
        return _events.Count;
    }

    private int ParseDropped(byte[] payload, RawFormat format)
    {
        _dropped.Added = 0;
        _failures.Clear();
        _parser.Parse(payload, format, _context, _dropped, _failures);
        return _dropped.Added;
    }

    /// <summary>Counts the events it is given and keeps none.</summary>
    private sealed class DroppingSink : Collection<LogEvent>
    {
        public int Added { get; set; }

        protected override void InsertItem(int index, LogEvent item) => Added++;
    }

    /// <summary>One generated record of the 15-column schema.</summary>
    private sealed record Row(
        DateTime Timestamp, string Service, string Level, string ClientIp, string UserId, string Method, string Endpoint,
        int Status, double ResponseTimeMs, string Agent, string Message, string? Sql, double? SqlMs, string Server, string Tenant)
    {
        public static Row Random(Random random, DateTime timestamp)
        {
            var service = Services[random.Next(Services.Length)];
            var status = random.Next(100) switch { < 85 => 200, < 92 => 404, < 96 => 429, _ => 500 };
            var sql = service == "database" ? $"SELECT * FROM orders WHERE customer_id = {random.Next(100_000)}" : null;
            return new Row(
                timestamp, service, Levels[random.Next(Levels.Length)], $"10.{random.Next(4)}.{random.Next(256)}.{random.Next(256)}",
                $"user_{random.Next(5_000)}", Methods[random.Next(Methods.Length)], Endpoints[random.Next(Endpoints.Length)], status,
                Math.Round(random.NextDouble() * 900, 2), Agents[random.Next(Agents.Length)],
                $"{Messages[random.Next(Messages.Length)]} (request {random.Next(1_000_000)})", sql,
                sql is null ? null : Math.Round(random.NextDouble() * 300, 1), $"srv-{random.Next(8):D2}", $"tenant_{random.Next(20)}");
        }

        /// <summary>The in-house text format of <see cref="ShopFormat"/>: fields between pipes.</summary>
        public string ToShopLine() => string.Create(
            CultureInfo.InvariantCulture,
            $"{Server}|{Timestamp:yyyy-MM-dd HH:mm:ss.fff}|{Level}|{Method} {Endpoint}|took {ResponseTimeMs}ms|user={UserId}|{Message}");

        /// <summary>What a shipper's elasticsearch output sends: ECS names, nested.</summary>
        public string ToEcs() => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["@timestamp"] = Timestamp.ToString("O", CultureInfo.InvariantCulture),
            ["log"] = new Dictionary<string, object?> { ["level"] = Level },
            ["message"] = Message,
            ["service"] = new Dictionary<string, object?> { ["name"] = Service },
            ["host"] = new Dictionary<string, object?> { ["name"] = Server },
            ["http"] = new Dictionary<string, object?>
            {
                ["request"] = new Dictionary<string, object?> { ["method"] = Method },
                ["response"] = new Dictionary<string, object?> { ["status_code"] = Status },
            },
            ["url"] = new Dictionary<string, object?> { ["path"] = Endpoint },
            ["event"] = new Dictionary<string, object?> { ["duration"] = (long)(ResponseTimeMs * 1_000_000) },
            ["user"] = new Dictionary<string, object?> { ["id"] = UserId },
            ["client"] = new Dictionary<string, object?> { ["ip"] = ClientIp },
        });

        /// <summary>An OTLP log record as the gateway writes it from an export request.</summary>
        public string ToOtlp() => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["time_unix_nano"] = ((new DateTimeOffset(Timestamp).ToUnixTimeMilliseconds()) * 1_000_000).ToString(CultureInfo.InvariantCulture),
            ["severity_number"] = Level.ToUpperInvariant() switch { "ERROR" => 17, "WARNING" or "WARN" => 13, "DEBUG" => 5, _ => 9 },
            ["severity_text"] = Level,
            ["body"] = Message,
            ["trace_id"] = "5b8efff798038103d269b633813fc60c",
            ["span_id"] = "eee19b7ec3c1b174",
            ["scope"] = "Shop.Api",
            ["attributes"] = new Dictionary<string, object?> { ["http.request.method"] = Method, ["url.path"] = Endpoint, ["http.response.status_code"] = Status, ["user.id"] = UserId },
            ["resource"] = new Dictionary<string, object?> { ["service.name"] = Service, ["host.name"] = Server },
        });

        /// <summary>A Loki entry as the gateway writes it from a push: a log4j-style text line and its stream's labels.</summary>
        public string ToLoki() => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["ts"] = ((new DateTimeOffset(Timestamp).ToUnixTimeMilliseconds()) * 1_000_000).ToString(CultureInfo.InvariantCulture),
            ["line"] = $"{Timestamp:yyyy-MM-dd HH:mm:ss,fff} {Level.ToUpperInvariant()} [main] {Method} {Endpoint} {Status} - {Message}",
            ["labels"] = new Dictionary<string, object?> { ["app"] = Service, ["host"] = Server, ["env"] = "prod" },
            ["metadata"] = new Dictionary<string, object?>(),
        });

        public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["timestamp"] = Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["log_type"] = Service,
            ["level"] = Level,
            ["client_ip"] = ClientIp,
            ["user_id"] = UserId,
            ["method"] = Method,
            ["endpoint"] = Endpoint,
            ["status_code"] = Status,
            ["response_time_ms"] = ResponseTimeMs,
            ["user_agent"] = Agent,
            ["message"] = Message,
            ["sql_query"] = Sql,
            ["query_duration_ms"] = SqlMs,
            ["server"] = Server,
            ["tenant_id"] = Tenant,
        });

        public string ToCsv() => string.Join(',',
            Timestamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Service, Level, ClientIp, UserId, Method, Endpoint,
            Status.ToString(CultureInfo.InvariantCulture), ResponseTimeMs.ToString(CultureInfo.InvariantCulture), $"\"{Agent}\"",
            Message, Sql is null ? "" : $"\"{Sql}\"", SqlMs?.ToString(CultureInfo.InvariantCulture) ?? "", Server, Tenant);
    }
}
