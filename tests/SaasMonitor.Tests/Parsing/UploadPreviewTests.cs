using System.Text;
using Parser.Worker;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

/// <summary>The upload page's preview shows what the parser will store, with the parser's settings for uploads.</summary>
public class UploadPreviewTests
{
    private const string Line = "shop7|2024-03-14 13:45:07.250|ERROR|took 412ms|payment provider slow\n";

    private static readonly ParsingOptions Shop = new()
    {
        Patterns = { ["SHOP"] = @"%{HOSTNAME:host}\|%{TIMESTAMP_ISO8601:timestamp}\|%{LOGLEVEL:level}\|took %{NUMBER:response_time_ms}ms\|%{GREEDYDATA:message}" },
        Sources = { ["upload"] = new SourceParsing { Pattern = "SHOP" } },
    };

    [Fact]
    public void A_pattern_configured_for_uploads_shapes_the_preview_as_it_shapes_the_stored_events()
    {
        var preview = UploadPreview.Of(Encoding.UTF8.GetBytes(Line), complete: true, RawFormat.Text, rows: 10, Shop);

        var e = preview.Events.Should().ContainSingle().Subject;
        e.Server.Should().Be("shop7");
        e.Level.Should().Be(LogLevels.Error);
        e.ResponseTimeMs.Should().Be(412);
        e.Message.Should().Be("payment provider slow");
        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 7, 250, TimeSpan.Zero));
    }

    [Fact]
    public void Without_settings_for_uploads_the_same_line_is_read_by_the_general_rules()
    {
        var preview = UploadPreview.Of(Encoding.UTF8.GetBytes(Line), complete: true, RawFormat.Text, rows: 10, new ParsingOptions());

        preview.Events.Should().ContainSingle().Which.Server.Should().NotBe("shop7");
    }

    [Fact]
    public void A_multi_line_start_configured_for_uploads_joins_the_lines_in_the_preview()
    {
        var options = new ParsingOptions { MultiLineStart = { ["upload"] = @"^\d{4}-\d{2}-\d{2} " } };
        var head = "2024-03-14 13:45:00 ERROR payment failed\nnot indented, yet part of the error\n2024-03-14 13:45:01 INFO next\n";

        var preview = UploadPreview.Of(Encoding.UTF8.GetBytes(head), complete: true, RawFormat.Auto, rows: 10, options);

        preview.Events.Select(e => e.Message).Should().Equal("payment failed\nnot indented, yet part of the error", "next");
    }

    [Fact]
    public void A_head_cut_mid_file_drops_its_partial_last_line()
    {
        var head = "2024-03-14 13:45:00 INFO one\n2024-03-14 13:45:01 INFO tw";

        var preview = UploadPreview.Of(Encoding.UTF8.GetBytes(head), complete: false, RawFormat.Text, rows: 10, new ParsingOptions());

        preview.Events.Select(e => e.Message).Should().Equal("one");
        preview.Failures.Should().BeEmpty();
    }
}
