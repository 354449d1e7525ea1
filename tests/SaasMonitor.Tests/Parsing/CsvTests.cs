using System.Text;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class CsvTests
{
    private const string FifteenColumnHeader =
        "timestamp,log_type,level,client_ip,user_id,method,endpoint,status_code,response_time_ms,user_agent,message,sql_query,query_duration_ms,server,tenant_id";

    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var run = ParserRun.Of(
            "timestamp,level,message\r\n" +
            "2025-01-02T03:04:05Z,INFO,\"Hello, \"\"world\"\"\nsecond line\"\r\n" +
            "2025-01-02T03:04:06Z,warn,plain\r\n",
            RawFormat.Csv);

        run.Failures.Should().BeEmpty();
        run.Events.Should().HaveCount(2);
        run.Events[0].Message.Should().Be("Hello, \"world\"\nsecond line");
        run.Events[0].Raw.Should().Be("2025-01-02T03:04:05Z,INFO,\"Hello, \"\"world\"\"\nsecond line\"");
        run.Events[1].Message.Should().Be("plain");
        run.Events[1].Level.Should().Be(LogLevels.Warning);
        run.Events[1].Id.Should().EndWith("-1");
    }

    [Fact]
    public void Columns_map_by_header_name_in_any_order_and_case_with_aliases()
    {
        var e = ParserRun.Of(
            "Status,MSG,Path,Severity,@timestamp,Host,Verb,Latency_MS,IP,Username,Tenant,Trace_ID,App\n" +
            "404,not found,/api/x,Warn,2025-01-02 03:04:05,web-1,get,12.5,10.1.2.3,bob,acme,abc123,api\n",
            RawFormat.Csv).Single();

        e.StatusCode.Should().Be(404);
        e.Message.Should().Be("not found");
        e.Endpoint.Should().Be("/api/x");
        e.Level.Should().Be(LogLevels.Warning);
        e.Timestamp.Should().Be(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        e.Server.Should().Be("web-1");
        e.Method.Should().Be("GET");
        e.ResponseTimeMs.Should().Be(12.5);
        e.ClientIp.Should().Be("10.1.2.3");
        e.UserId.Should().Be("bob");
        e.TenantId.Should().Be("acme");
        e.TraceId.Should().Be("abc123");
        e.Service.Should().Be("api");
        e.Extra.Should().BeNull();
    }

    [Fact]
    public void Unknown_columns_land_in_extra_and_empty_cells_leave_fields_unset()
    {
        var e = ParserRun.Of("timestamp,level,region,build\n,,eu-west,\"1.2.3\"\n", RawFormat.Csv).Single();

        e.Extra.Should().BeEquivalentTo(new Dictionary<string, string> { ["region"] = "eu-west", ["build"] = "1.2.3", ["timestamp_source"] = "received" });
        e.Timestamp.Should().Be(ParserRun.ReceivedAt);
        e.Level.Should().Be(LogLevels.Info);
    }

    [Fact]
    public void The_fifteen_column_schema_fills_every_field()
    {
        var run = ParserRun.Of(
            FifteenColumnHeader + "\n" +
            "2025-11-03 14:22:01,database,ERROR,172.16.0.4,user_17,POST,/api/orders,500,812.4,\"Mozilla/5.0 (X11, Linux)\",Deadlock detected,\"SELECT * FROM orders WHERE id = 'a,b'\",790.2,db-02,tenant_9\n" +
            "2025-11-03 14:22:02,api,info,172.16.0.5,user_18,get,/api/users,200,35,curl/8,ok,,,api-01,tenant_9\n");

        run.Failures.Should().BeEmpty();
        var e = run.Events[0];
        e.Timestamp.Should().Be(new DateTimeOffset(2025, 11, 3, 14, 22, 1, TimeSpan.Zero));
        e.Service.Should().Be("database");
        e.Level.Should().Be(LogLevels.Error);
        e.ClientIp.Should().Be("172.16.0.4");
        e.UserId.Should().Be("user_17");
        e.Method.Should().Be("POST");
        e.Endpoint.Should().Be("/api/orders");
        e.StatusCode.Should().Be(500);
        e.ResponseTimeMs.Should().Be(812.4);
        e.Message.Should().Be("Deadlock detected");
        e.Server.Should().Be("db-02");
        e.TenantId.Should().Be("tenant_9");
        e.Extra.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["user_agent"] = "Mozilla/5.0 (X11, Linux)",
            ["sql_query"] = "SELECT * FROM orders WHERE id = 'a,b'",
            ["query_duration_ms"] = "790.2",
        });
        run.Events[1].Method.Should().Be("GET");
        run.Events[1].Level.Should().Be(LogLevels.Info);
        run.Events[1].Extra.Should().BeEquivalentTo(new Dictionary<string, string> { ["user_agent"] = "curl/8" }, "empty cells are absent values");
    }

    [Fact]
    public void A_payload_whose_first_line_names_known_columns_is_detected_as_csv()
    {
        Detect("timestamp,level,message\n2025-01-01T00:00:00Z,INFO,x").Should().Be(RawFormat.Csv);
        Detect("hello, world, this is text\nmore").Should().Be(RawFormat.Auto);
    }

    private static RawFormat Detect(string payload) => LogParser.Detect(Encoding.UTF8.GetBytes(payload));
}
