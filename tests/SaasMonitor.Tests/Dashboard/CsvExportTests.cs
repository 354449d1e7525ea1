using System.Text;
using Dashboard.Web;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Dashboard;

public sealed class CsvExportTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    public void Cells_a_spreadsheet_would_run_as_a_formula_are_prefixed_with_an_apostrophe(string value, string cell)
    {
        Cell(value).Should().Be(cell);
    }

    [Theory]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("said \"hi\"", "\"said \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("carriage\rreturn", "\"carriage\rreturn\"")]
    [InlineData("plain text 1=1", "plain text 1=1")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Cells_with_commas_quotes_or_line_breaks_are_quoted_and_others_are_not(string? value, string cell)
    {
        Cell(value).Should().Be(cell);
    }

    [Fact]
    public void A_row_has_every_header_column_in_order()
    {
        var e = new LogEvent
        {
            Id = "0-1-2",
            Timestamp = new DateTimeOffset(2024, 1, 15, 11, 30, 0, 123, TimeSpan.FromHours(1)),
            Level = "ERROR",
            Service = "billing",
            Server = "prod-api-01",
            Method = "POST",
            Endpoint = "/api/payments",
            StatusCode = 502,
            ResponseTimeMs = 1234.5678,
            ClientIp = "203.0.113.7",
            UserId = "u-0001",
            TenantId = "acme",
            TraceId = "abc123",
            Message = "Payment failed: card declined, retry \"later\"",
        };

        CsvExport.Row(e).Should().Be(
            "2024-01-15T10:30:00.123Z,ERROR,billing,prod-api-01,POST,/api/payments,502,1234.568,203.0.113.7,u-0001,acme,abc123,\"Payment failed: card declined, retry \"\"later\"\"\"");
        CsvExport.Header.Split(',').Should().HaveCount(13).And.StartWith("timestamp").And.EndWith("message");
    }

    [Fact]
    public void A_row_leaves_missing_fields_empty()
    {
        var e = new LogEvent { Id = "x", Timestamp = DateTimeOffset.UnixEpoch, Level = "INFO", Message = "m" };

        CsvExport.Row(e).Should().Be("1970-01-01T00:00:00.000Z,INFO,,,,,,,,,,,m");
    }

    private static string Cell(string? value) => CsvExport.Text(new StringBuilder(), value).ToString();
}
