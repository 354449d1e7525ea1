using System.Text;
using System.Text.Json;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Contracts;

public sealed class LogEventJsonTests
{
    [Fact]
    public void Events_are_written_with_only_the_escapes_json_requires_and_read_back_equal_by_either_form()
    {
        var e = LogEventSchemaTests.Event() with
        {
            Message = "café \"naïve\" <b> & 'x' + 1",
            Raw = """{"message":"café \"naïve\" <b> & 'x' + 1","level":"error"}""",
        };

        var written = JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event);
        var strict = JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Default.LogEvent);
        var text = Encoding.UTF8.GetString(written);

        text.Should().Contain("café \\\"naïve\\\" <b> & 'x' + 1").And.NotContain("\\u0022").And.NotContain("\\u00E9");
        written.Length.Should().BeLessThan(strict.Length);
        JsonSerializer.Deserialize(written, LogEventJson.Event).Should().BeEquivalentTo(e);
        JsonSerializer.Deserialize(strict, LogEventJson.Event).Should().BeEquivalentTo(e, "events written before keep reading the same");
    }
}
