using System.Text;
using System.Text.Json;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;
using SaasMonitor.Tests.Parsing;

namespace SaasMonitor.Tests.Contracts;

/// <summary>upload.csv.v1 names the columns the parser maps to <see cref="LogEvent"/> fields; the rest are kept as extras.</summary>
public sealed class UploadCsvSchemaTests
{
    /// <summary>Columns of the full 15-column schema that have no field of their own.</summary>
    private static readonly string[] ExtraColumns = ["user_agent", "sql_query", "query_duration_ms"];

    [Fact]
    public async Task Every_schema_column_maps_to_a_field_except_the_columns_kept_as_extras()
    {
        var columns = (await ContractSchemas.LoadAsync(MessageSchemas.UploadRow)).ActualProperties.Keys;

        columns.Where(c => FieldNames.Lookup(Encoding.UTF8.GetBytes(c)) == FieldKind.Extra).Should().BeEquivalentTo(ExtraColumns);
    }

    [Fact]
    public async Task Every_field_the_parser_recognises_has_a_column_in_the_schema()
    {
        var columns = (await ContractSchemas.LoadAsync(MessageSchemas.UploadRow)).ActualProperties.Keys;
        var covered = columns.Select(c => FieldNames.Lookup(Encoding.UTF8.GetBytes(c))).ToHashSet();

        Enum.GetValues<FieldKind>().Where(k => k != FieldKind.Extra).Should().BeSubsetOf(covered);
    }

    [Fact]
    public async Task A_csv_with_every_schema_column_parses_into_one_event_with_each_field_set()
    {
        var columns = (await ContractSchemas.LoadAsync(MessageSchemas.UploadRow)).ActualProperties.Keys.ToArray();
        var row = columns.Select(SampleValue);
        var csv = string.Join(',', columns) + "\n" + string.Join(',', row) + "\n";

        var e = ParserRun.Of(csv, RawFormat.Csv).Single();

        e.Should().BeEquivalentTo(new
        {
            Timestamp = new DateTimeOffset(2026, 1, 4, 10, 17, 11, TimeSpan.Zero),
            Level = LogLevels.Error,
            Service = "api",
            ClientIp = "10.0.0.7",
            UserId = "user_1",
            Method = "POST",
            Endpoint = "/api/orders",
            StatusCode = 500,
            ResponseTimeMs = 12.5,
            Message = "failed",
            Server = "web-1",
            TenantId = "acme",
            TraceId = "trace-1",
        });
        e.Extra.Should().ContainKeys(ExtraColumns);
    }

    [Theory]
    [InlineData("sample_upload.json")]
    [InlineData("test_upload.json")]
    public async Task The_seed_json_uploads_follow_the_schema(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(TestData.PathOf("seed-format", file)));
        document.RootElement.GetArrayLength().Should().BePositive();

        foreach (var row in document.RootElement.EnumerateArray())
        {
            var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.UploadRow, row.GetRawText());
            errors.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task A_row_whose_status_is_an_object_is_reported_invalid()
    {
        var errors = await ContractSchemas.ErrorsAsync(MessageSchemas.UploadRow, "{\"timestamp\":\"2026-01-04T10:17:11Z\",\"status_code\":{\"code\":500}}");

        errors.Should().NotBeEmpty();
    }

    private static string SampleValue(string column) => column switch
    {
        "timestamp" => "2026-01-04T10:17:11Z",
        "log_type" => "api",
        "level" => "error",
        "client_ip" => "10.0.0.7",
        "user_id" => "user_1",
        "method" => "POST",
        "endpoint" => "/api/orders",
        "status_code" => "500",
        "response_time_ms" => "12.5",
        "message" => "failed",
        "server" => "web-1",
        "tenant_id" => "acme",
        "trace_id" => "trace-1",
        _ => "x-" + column,
    };
}
