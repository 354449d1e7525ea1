using System.Globalization;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

/// <summary>
/// The loghub samples against their structured ground truth (<c>*_structured.csv</c>), line by line.
/// Reproduced: timestamp, level (where the system writes one), content as the message, host and component.
/// Not reproduced: the HealthApp ground truth keeps a leading space of some contents, the parser trims messages,
/// so contents are compared trimmed; process ids are left in the raw line; syslog lines carry no year, so the
/// expected year is the one of the receive time.
/// </summary>
public class LoghubTextTests
{
    public static TheoryData<string, RawFormat> Systems() => new()
    {
        { "Apache", RawFormat.Text }, { "Apache", RawFormat.Auto },
        { "OpenSSH", RawFormat.Text }, { "OpenSSH", RawFormat.Auto },
        { "Linux", RawFormat.Text }, { "Linux", RawFormat.Auto },
        { "HDFS", RawFormat.Text }, { "HDFS", RawFormat.Auto },
        { "Spark", RawFormat.Text }, { "Spark", RawFormat.Auto },
        { "HealthApp", RawFormat.Text }, { "HealthApp", RawFormat.Auto },
    };

    [Theory]
    [MemberData(nameof(Systems))]
    public void At_least_99_percent_of_lines_agree_with_the_ground_truth_on_timestamp_and_level(string system, RawFormat format)
    {
        var truth = SimpleCsv.ReadFile(TestData.PathOf("loghub", $"{system}_2k.log_structured.csv"));

        var run = ParserRun.OfFile(format, "loghub", $"{system}_2k.log");

        run.Failures.Should().BeEmpty();
        run.Events.Should().HaveCount(truth.Count);
        var timestamps = truth.Where((row, i) => run.Events[i].Timestamp == ExpectedTimestamp(system, row)).Count();
        var withLevel = truth.Select((row, i) => (Expected: ExpectedLevel(system, row), Actual: run.Events[i].Level)).Where(p => p.Expected is not null).ToList();
        var levels = withLevel.Count(p => p.Expected == p.Actual);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{system}: timestamps {timestamps}/{truth.Count}, levels {levels}/{withLevel.Count} agree with the ground truth");
        timestamps.Should().BeGreaterThanOrEqualTo((int)Math.Ceiling(truth.Count * 0.99));
        levels.Should().BeGreaterThanOrEqualTo((int)Math.Ceiling(withLevel.Count * 0.99));
        run.Events.Should().NotContain(e => e.Extra != null && e.Extra.ContainsKey("timestamp_source"), "every line carries its own timestamp");
    }

    [Theory]
    [MemberData(nameof(Systems))]
    public void Every_line_reproduces_the_content_host_and_component_of_the_ground_truth(string system, RawFormat format)
    {
        var truth = SimpleCsv.ReadFile(TestData.PathOf("loghub", $"{system}_2k.log_structured.csv"));

        var run = ParserRun.OfFile(format, "loghub", $"{system}_2k.log");

        for (var i = 0; i < truth.Count; i++)
        {
            var row = truth[i];
            var e = run.Events[i];
            var because = $"line {row["LineId"]} is {e.Raw}";
            e.Message.Should().Be(row["Content"].Trim(), because);
            if (system is "Linux" or "OpenSSH")
            {
                // Linux's "Level" and OpenSSH's "Component" columns hold the host name.
                e.Server.Should().Be(system == "Linux" ? row["Level"] : row["Component"], because);
            }

            if (system is "Linux" or "HDFS" or "Spark" or "HealthApp")
            {
                e.Service.Should().Be(row["Component"], because);
            }
        }
    }

    private static DateTimeOffset ExpectedTimestamp(string system, Dictionary<string, string> row)
    {
        var year = ParserRun.ReceivedAt.Year.ToString(CultureInfo.InvariantCulture);
        var (text, pattern) = system switch
        {
            "Apache" => (row["Time"], "ddd MMM dd HH:mm:ss yyyy"),
            "OpenSSH" => ($"{row["Date"]} {row["Day"]} {year} {row["Time"]}", "MMM d yyyy HH:mm:ss"),
            "Linux" => ($"{row["Month"]} {row["Date"]} {year} {row["Time"]}", "MMM d yyyy HH:mm:ss"),
            "HDFS" => ($"{row["Date"]} {row["Time"]}", "yyMMdd HHmmss"),
            "Spark" => ($"{row["Date"]} {row["Time"]}", "yy/MM/dd HH:mm:ss"),
            // HealthApp writes its time parts unpadded ("22:16:0:119"): hours, minutes, seconds, milliseconds.
            _ => (row["Time"][..8], "yyyyMMdd"),
        };
        var timestamp = DateTimeOffset.ParseExact(text, pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (system != "HealthApp")
        {
            return timestamp;
        }

        var parts = row["Time"][9..].Split(':').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return timestamp + new TimeSpan(0, parts[0], parts[1], parts[2], parts[3]);
    }

    private static string? ExpectedLevel(string system, Dictionary<string, string> row) => system switch
    {
        "Apache" or "HDFS" or "Spark" => LogLevels.Normalize(row["Level"]),
        _ => null,
    };
}
