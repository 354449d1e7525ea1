using System.Globalization;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

/// <summary>
/// Text lines in the layouts common software writes (none of them among the shared samples), read without any
/// per-source configuration: timestamp, level and message from the general recognisers. Received at
/// <see cref="ParserRun.ReceivedAt"/> (2025-12-31 12:00 UTC), which decides the year of dates written without one.
/// </summary>
public class RealWorldTextTests
{
    public static TheoryData<string, string, string, string, string?> Lines() => new()
    {
        {
            "nginx error log", "2024/03/14 13:45:00 [error] 1234#1234: *5 open() \"/srv/x\" failed (2: No such file or directory)",
            "2024-03-14T13:45:00Z", LogLevels.Error, "1234#1234: *5 open() \"/srv/x\" failed (2: No such file or directory)"
        },
        {
            "PostgreSQL", "2024-03-14 13:45:00.123 UTC [4242] LOG:  database system is ready to accept connections",
            "2024-03-14T13:45:00.123Z", LogLevels.Info, "database system is ready to accept connections"
        },
        {
            "PostgreSQL error", "2024-03-14 13:45:00.123 CET [4242] ERROR:  relation \"users\" does not exist",
            "2024-03-14T13:45:00.123Z", LogLevels.Error, null
        },
        {
            "MySQL 8", "2024-03-14T13:45:00.123456Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.",
            "2024-03-14T13:45:00.123456Z", LogLevels.Warning, "[MY-010068] [Server] CA certificate ca.pem is self signed."
        },
        { "Redis", "1234:M 14 Mar 2024 13:45:00.123 # WARNING overcommit_memory is set to 0!", "2024-03-14T13:45:00.123Z", LogLevels.Warning, "overcommit_memory is set to 0!" },
        { "Redis notice", "1234:M 14 Mar 2024 13:45:00.123 * Ready to accept connections tcp", "2024-03-14T13:45:00.123Z", LogLevels.Info, "* Ready to accept connections tcp" },
        { "Python logging", "2024-03-14 13:45:00,123 - app.db - WARNING - Slow query took 2.5s", "2024-03-14T13:45:00.123Z", LogLevels.Warning, "Slow query took 2.5s" },
        { "log4j", "2024-03-14 13:45:00,123 ERROR [main] com.example.App - Failed to start", "2024-03-14T13:45:00.123Z", LogLevels.Error, "[main] com.example.App - Failed to start" },
        { "logback default (time of day only)", "09:45:00.123 [main] WARN  com.example.App - Cache miss", "2025-12-31T09:45:00.123Z", LogLevels.Warning, "com.example.App - Cache miss" },
        {
            "Spring Boot", "2024-03-14T13:45:00.123+01:00  INFO 12345 --- [           main] c.e.demo.DemoApplication : Started DemoApplication in 1.2 seconds",
            "2024-03-14T12:45:00.123Z", LogLevels.Info, null
        },
        {
            "Tomcat", "14-Mar-2024 13:45:00.123 SEVERE [main] org.apache.catalina.core.StandardService.startInternal Failed to start",
            "2024-03-14T13:45:00.123Z", LogLevels.Error, null
        },
        { "java.util.logging", "Mar 14, 2024 1:45:00 PM org.apache.catalina.startup.Catalina start", "2024-03-14T13:45:00Z", LogLevels.Info, null },
        {
            "ZooKeeper", "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
            "2015-07-29T17:41:44.747Z", LogLevels.Info, null
        },
        {
            "Hadoop", "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application",
            "2015-10-18T18:01:47.978Z", LogLevels.Info, null
        },
        {
            "OpenStack (file name column first)", "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 WARNING nova.compute.manager [req-3810] Instance is gone",
            "2017-05-16T00:00:00.008Z", LogLevels.Warning, "nova.compute.manager [req-3810] Instance is gone"
        },
        { "Android logcat", "03-17 16:13:38.811  1702  2395 E WindowManager: printFreezingDisplayLogs", "2025-03-17T16:13:38.811Z", LogLevels.Error, "printFreezingDisplayLogs" },
        {
            "Blue Gene/L (epoch column)", "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL FATAL data TLB error interrupt",
            "2005-06-03T22:42:50Z", LogLevels.Critical, "data TLB error interrupt"
        },
        { "Windows CBS", "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505", "2016-09-28T04:30:30Z", LogLevels.Info, null },
        { "Proxifier", "[10.30 16:49:06] chrome.exe - proxy.example.org:5070 open through proxy HTTPS", "2025-10-30T16:49:06Z", LogLevels.Info, null },
        { "klog", "E0314 13:45:00.123456   12345 controller.go:123] Failed to sync pod", "2025-03-14T13:45:00.123456Z", LogLevels.Error, "Failed to sync pod" },
        { "Go log", "2024/03/14 13:45:00 listening on :8080", "2024-03-14T13:45:00Z", LogLevels.Info, "listening on :8080" },
        {
            "logfmt (Docker daemon)", "time=\"2024-03-14T13:45:00.123456789Z\" level=warning msg=\"Container failed to exit within 10s\" container=abc",
            "2024-03-14T13:45:00.1234567Z", LogLevels.Warning, "Container failed to exit within 10s"
        },
        { "Serilog console", "[09:45:00 ERR] Unhandled exception", "2025-12-31T09:45:00Z", LogLevels.Error, "Unhandled exception" },
        {
            "Apache 2.4 error log", "[Thu Mar 14 13:45:00.123456 2024] [core:error] [pid 1234:tid 5678] [client 10.0.0.1:5555] AH00126: Invalid URI in request",
            "2024-03-14T13:45:00.123456Z", LogLevels.Error, "[pid 1234:tid 5678] [client 10.0.0.1:5555] AH00126: Invalid URI in request"
        },
        {
            "Elasticsearch", "[2024-03-14T13:45:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark exceeded",
            "2024-03-14T13:45:00.123Z", LogLevels.Warning, "[o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark exceeded"
        },
        {
            "MongoDB", "2024-03-14T13:45:00.123+0000 E STORAGE  [initandlisten] exception in initAndListen",
            "2024-03-14T13:45:00.123Z", LogLevels.Error, "STORAGE  [initandlisten] exception in initAndListen"
        },
        { "Kafka", "[2024-03-14 13:45:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)", "2024-03-14T13:45:00.123Z", LogLevels.Info, "[KafkaServer id=1] started (kafka.server.KafkaServer)" },
        { "Cassandra (level first)", "WARN  [main] 2024-03-14 13:45:00,123 StartupChecks.java:143 - jemalloc not found", "2024-03-14T13:45:00.123Z", LogLevels.Warning, "StartupChecks.java:143 - jemalloc not found" },
        { "Zap console (tabs)", "2024-03-14T13:45:00.123Z\tWARN\thttp\tserver is listening only on the HTTP port", "2024-03-14T13:45:00.123Z", LogLevels.Warning, null },
        { "epoch milliseconds column", "1710423900123 WARN cache eviction storm", "2024-03-14T13:45:00.123Z", LogLevels.Warning, "cache eviction storm" },
        { "Squid (epoch seconds with fraction)", "1710423900.123    123 10.0.0.1 TCP_MISS/200 1234 GET http://example.com/ - HIER_DIRECT/1.2.3.4 text/html", "2024-03-14T13:45:00.123Z", LogLevels.Info, null },
        { "zone offset after a comma fraction", "2024-03-14 13:45:00,123+0200 [worker-1] ERROR com.x.Y - boom", "2024-03-14T11:45:00.123Z", LogLevels.Error, "com.x.Y - boom" },
        { "dotted European date", "14.03.2024 13:45:00 CRIT disk failure on sdb", "2024-03-14T13:45:00Z", LogLevels.Critical, "disk failure on sdb" },
        { "slashed US date", "03/14/2024 01:45:00 PM WARNING low disk", "2024-03-14T13:45:00Z", LogLevels.Warning, "low disk" },
        { "macOS system log", "Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: ARPT: 620651.021206: wl0: MDNS: IPV4 Addr: 10.105.160.95", "2025-07-01T09:00:55Z", LogLevels.Info, "ARPT: 620651.021206: wl0: MDNS: IPV4 Addr: 10.105.160.95" },
        { "RFC 3164 with PRI", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", "2025-10-11T22:14:15Z", LogLevels.Critical, "'su root' failed for lonvick on /dev/pts/8" },
        {
            "RFC 5424", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event log entry",
            "2003-10-11T22:14:15.003Z", LogLevels.Info, "An application event log entry"
        },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void The_timestamp_level_and_message_are_found_where_the_layout_puts_them(string software, string line, string timestamp, string level, string? message)
    {
        var e = ParserRun.Of(line, RawFormat.Text).Single();

        e.Timestamp.Should().Be(DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture), software);
        e.Level.Should().Be(level, software);
        e.Extra?.ContainsKey("timestamp_source").Should().NotBe(true, software);
        if (message is not null)
        {
            e.Message.Should().Be(message, software);
        }
    }

    [Theory]
    [InlineData("info: Microsoft.Hosting.Lifetime[14]", LogLevels.Info, "Microsoft.Hosting.Lifetime[14]")]
    [InlineData("fail: Microsoft.AspNetCore.Server.Kestrel[13]", LogLevels.Error, "Microsoft.AspNetCore.Server.Kestrel[13]")]
    [InlineData("WARNING:root:Disk almost full", LogLevels.Warning, "root:Disk almost full")]
    [InlineData("ERROR 500 returned for /api/orders", LogLevels.Error, "500 returned for /api/orders")]
    [InlineData("Error connecting to the database", LogLevels.Error, "Error connecting to the database")]
    [InlineData("[    1.234567] usb 1-1: new high-speed USB device", LogLevels.Info, "[    1.234567] usb 1-1: new high-speed USB device")]
    [InlineData("Backup of 2024-01-01 finished", LogLevels.Info, "Backup of 2024-01-01 finished")]
    public void A_line_without_a_timestamp_keeps_the_receive_time_marked_as_such(string line, string level, string message)
    {
        var e = ParserRun.Of(line, RawFormat.Text).Single();

        e.Timestamp.Should().Be(ParserRun.ReceivedAt);
        e.Extra.Should().Contain("timestamp_source", "received");
        e.Level.Should().Be(level);
        e.Message.Should().Be(message);
    }

    [Fact]
    public void An_rfc5424_header_gives_host_app_ids_and_structured_data_as_fields()
    {
        var e = ParserRun.Of(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 8710 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App \\\"x\\\"\"] entry",
            RawFormat.Text).Single();

        e.Server.Should().Be("mymachine.example.com");
        e.Service.Should().Be("evntslog");
        e.Extra.Should().Contain("facility", "local4").And.Contain("proc_id", "8710").And.Contain("msg_id", "ID47")
            .And.Contain("iut", "3").And.Contain("eventSource", "App \"x\"");
        e.Message.Should().Be("entry");
    }

    [Fact]
    public void A_date_without_a_year_that_would_lie_ahead_of_the_receive_time_belongs_to_the_year_before()
    {
        var e = ParserRun.Of("12-31 23:59:59.000  10  20 W Tag: late", RawFormat.Text).Single();

        e.Timestamp.Should().Be(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero));
        ParserRun.Of("01-02 00:00:00.000  10  20 W Tag: early", RawFormat.Text).Single().Timestamp.Year.Should().Be(2025);
        ParserRun.Of("Jan 02 00:00:00 host app: x", RawFormat.Text).Single().Timestamp.Year.Should().Be(2025);
        ParserRun.Of("Feb 02 00:00:00 host app: x", RawFormat.Text).Single().Timestamp.Year.Should().Be(2025);
    }
}
