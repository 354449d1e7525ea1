using System.Globalization;
using System.Text.Json;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class SeedFormatTests
{
    [Theory]
    [InlineData("sample_upload.csv", RawFormat.Csv)]
    [InlineData("sample_upload.csv", RawFormat.Auto)]
    [InlineData("test_upload.csv", RawFormat.Csv)]
    [InlineData("test_upload.csv", RawFormat.Auto)]
    public void Every_row_of_a_seed_csv_file_is_parsed_with_the_values_of_its_cells(string file, RawFormat format)
    {
        var lines = File.ReadAllLines(TestData.PathOf("seed-format", file)).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var expected = lines.Skip(1)
            .Select(line => header.Zip(line.Split(','), (name, value) => (name, value)).ToDictionary(p => p.name, p => p.value))
            .ToList();

        var run = ParserRun.OfFile(format, "seed-format", file);

        run.Failures.Should().BeEmpty();
        run.Events.Should().HaveCount(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            ShouldMatch(run.Events[i], expected[i]);
            run.Events[i].Raw.Should().Be(lines[i + 1]);
        }
    }

    [Theory]
    [InlineData("sample_upload.json", RawFormat.Json)]
    [InlineData("sample_upload.json", RawFormat.Auto)]
    [InlineData("test_upload.json", RawFormat.Json)]
    [InlineData("test_upload.json", RawFormat.Auto)]
    public void Every_element_of_a_seed_json_file_is_parsed_with_the_values_of_its_properties(string file, RawFormat format)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestData.PathOf("seed-format", file)));
        var expected = document.RootElement.EnumerateArray()
            .Select(element => element.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))
            .ToList();

        var run = ParserRun.OfFile(format, "seed-format", file);

        run.Failures.Should().BeEmpty();
        run.Events.Should().HaveCount(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            ShouldMatch(run.Events[i], expected[i]);
            using var raw = JsonDocument.Parse(run.Events[i].Raw!);
            raw.RootElement.GetProperty("message").GetString().Should().Be(expected[i]["message"]);
        }
    }

    private static void ShouldMatch(LogEvent e, Dictionary<string, string> fields)
    {
        e.Timestamp.Should().Be(DateTimeOffset.Parse(fields["timestamp"], CultureInfo.InvariantCulture));
        e.Level.Should().Be(LogLevels.Normalize(fields["level"]));
        e.Message.Should().Be(fields["message"]);
        e.Endpoint.Should().Be(fields["endpoint"]);
        e.StatusCode.Should().Be(int.Parse(fields["status_code"], CultureInfo.InvariantCulture));
        e.ResponseTimeMs.Should().Be(fields.TryGetValue("response_time_ms", out var ms) ? double.Parse(ms, CultureInfo.InvariantCulture) : null);
        e.ClientIp.Should().Be(fields.GetValueOrDefault("client_ip"));
        e.UserId.Should().Be(fields.GetValueOrDefault("user_id"));
        e.Extra.Should().BeNull();
        e.Source.Should().Be("upload");
        e.FileId.Should().Be("file-1");
        e.ReceivedAt.Should().Be(ParserRun.ReceivedAt);
    }
}
