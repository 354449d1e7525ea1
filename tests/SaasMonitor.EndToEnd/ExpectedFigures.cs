using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SaasMonitor.Core.Events;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// What the shared sample files must produce, computed here straight from the files with simple, independent code
/// (string splits, JsonDocument, one regular expression), not with the product's parser.
/// </summary>
public sealed partial class ExpectedFigures
{
    private readonly List<(string Level, int? Status, string Endpoint, double? ResponseMs, string? User)> _rows = [];

    public int Total => _rows.Count;

    public int Errors => _rows.Count(r => r.Level is "ERROR" or "CRITICAL");

    public double ErrorRatePercent => Errors * 100.0 / Total;

    public IReadOnlyDictionary<string, int> PerLevel => _rows.GroupBy(r => r.Level).ToDictionary(g => g.Key, g => g.Count());

    public IReadOnlyDictionary<int, int> PerStatus => _rows.Where(r => r.Status is not null).GroupBy(r => r.Status!.Value).ToDictionary(g => g.Key, g => g.Count());

    public int DistinctUsers => _rows.Select(r => r.User).Where(u => u is not null).Distinct().Count();

    /// <summary>The endpoint with the highest average response time, and that average.</summary>
    public (string Endpoint, double AverageMs) SlowestEndpoint => _rows
        .Where(r => r.ResponseMs is not null)
        .GroupBy(r => r.Endpoint)
        .Select(g => (g.Key, g.Average(r => r.ResponseMs!.Value)))
        .MaxBy(x => x.Item2);

    public int Count(string endpoint, string level) => _rows.Count(r => r.Endpoint == endpoint && r.Level == level);

    public void AddCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            string? Cell(string name) => Array.IndexOf(header, name) is >= 0 and var i ? cells[i] : null;
            Add(Cell("level")!, Cell("status_code"), Cell("endpoint")!, Cell("response_time_ms"), Cell("user_id"));
        }
    }

    public void AddJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string? Prop(string name) => e.TryGetProperty(name, out var p) ? p.ToString() : null;
            Add(Prop("level")!, Prop("status_code"), Prop("endpoint")!, Prop("response_time_ms"), Prop("user_id"));
        }
    }

    public void AddApache(string path)
    {
        foreach (var line in File.ReadLines(path).Where(l => l.Length > 0))
        {
            var m = AccessLine().Match(line);
            m.Success.Should().BeTrue($"the sample line '{line}' is an access-log line");
            var status = int.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture);
            var level = status >= 500 ? "ERROR" : status >= 400 ? "WARNING" : "INFO";
            var user = m.Groups["user"].Value;
            Add(level, status.ToString(CultureInfo.InvariantCulture), m.Groups["path"].Value, null, user == "-" ? null : user);
        }
    }

    /// <summary>A row as the KPIs see it: endpoints grouped by their template.</summary>
    private void Add(string level, string? status, string endpoint, string? responseMs, string? user) => _rows.Add((
        level.ToUpperInvariant() switch { "WARN" => "WARNING", "ERR" => "ERROR", "FATAL" or "CRIT" => "CRITICAL", var l => l },
        status is null ? null : int.Parse(status, CultureInfo.InvariantCulture),
        EndpointTemplates.Apply(endpoint),
        responseMs is null ? null : double.Parse(responseMs, CultureInfo.InvariantCulture),
        user));

    [GeneratedRegex("^\\S+ \\S+ (?<user>\\S+) \\[[^\\]]+\\] \"\\S+ (?<path>[^ ?\"]*)[^\"]*\" (?<status>\\d{3}) ")]
    private static partial Regex AccessLine();
}
