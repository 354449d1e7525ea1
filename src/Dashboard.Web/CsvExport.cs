using System.Globalization;
using System.Text;
using SaasMonitor.Core.Events;

namespace Dashboard.Web;

/// <summary>CSV rows of events (RFC 4180), safe to open in a spreadsheet: text that would run as a formula is prefixed with '.</summary>
internal static class CsvExport
{
    public const string Header = "timestamp,level,service,server,method,endpoint,status_code,response_time_ms,client_ip,user_id,tenant_id,trace_id,message";

    public static string Row(LogEvent e)
    {
        var sb = new StringBuilder(256);
        sb.Append(e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',');
        Text(sb, e.Level).Append(',');
        Text(sb, e.Service).Append(',');
        Text(sb, e.Server).Append(',');
        Text(sb, e.Method).Append(',');
        Text(sb, e.Endpoint).Append(',');
        sb.Append(e.StatusCode?.ToString(CultureInfo.InvariantCulture)).Append(',');
        sb.Append(e.ResponseTimeMs?.ToString("0.###", CultureInfo.InvariantCulture)).Append(',');
        Text(sb, e.ClientIp).Append(',');
        Text(sb, e.UserId).Append(',');
        Text(sb, e.TenantId).Append(',');
        Text(sb, e.TraceId).Append(',');
        Text(sb, e.Message);
        return sb.ToString();
    }

    /// <summary>Appends one text cell: neutralised if a spreadsheet would read it as a formula, quoted when needed.</summary>
    internal static StringBuilder Text(StringBuilder sb, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return sb;
        }

        var cell = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        if (cell.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return sb.Append(cell);
        }

        return sb.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
