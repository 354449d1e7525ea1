using System.Text;

namespace SaasMonitor.Tests.Parsing;

/// <summary>A deliberately plain RFC 4180 reader used as an independent oracle for the ground-truth files.</summary>
internal static class SimpleCsv
{
    public static List<Dictionary<string, string>> ReadFile(string path)
    {
        var rows = Rows(File.ReadAllText(path));
        var header = rows[0];
        return rows.Skip(1)
            .Select(row => header.Select((name, i) => (name, value: row[i])).ToDictionary(p => p.name, p => p.value))
            .ToList();
    }

    private static List<List<string>> Rows(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
