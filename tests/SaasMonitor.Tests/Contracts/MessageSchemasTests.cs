using System.Text;
using System.Text.Json;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Contracts;

public sealed class MessageSchemasTests
{
    [Fact]
    public void The_embedded_schemas_are_exactly_the_files_in_the_schemas_folder()
    {
        var folder = SchemasFolder();
        var onDisk = Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension);

        MessageSchemas.All.Select(s => s.Name).Should().BeEquivalentTo(onDisk);
        foreach (var schema in MessageSchemas.All)
        {
            schema.ReadText().Should().Be(File.ReadAllText(Path.Combine(folder, schema.Name + ".json")), "the assembly embeds {0} as it is on disk", schema.Name);
        }
    }

    [Fact]
    public void Each_schema_id_names_its_contract_and_version_as_its_file_name_does()
    {
        foreach (var schema in MessageSchemas.All)
        {
            using var document = JsonDocument.Parse(schema.ReadText());
            var id = document.RootElement.GetProperty("$id").GetString();
            var lastDot = schema.Name.LastIndexOf('.');

            id.Should().Be($"saasmonitor:{schema.Name[..lastDot]}:{schema.Name[(lastDot + 1)..]}");
        }
    }

    [Fact]
    public void The_schema_header_carries_the_schema_name()
    {
        var header = MessageSchemas.Events.Header;

        header.Key.Should().Be("schema");
        Encoding.UTF8.GetString(header.Value.Span).Should().Be("logs.events.v1");
    }

    [Fact]
    public void The_schema_a_header_names_is_found_and_an_unknown_or_missing_one_is_null()
    {
        MessageSchemas.Of([new MessageHeader("format", "json"u8.ToArray()), MessageSchemas.DeadLetter.Header]).Should().BeSameAs(MessageSchemas.DeadLetter);
        MessageSchemas.Of([new MessageHeader(MessageSchemas.HeaderName, "logs.events.v9"u8.ToArray())]).Should().BeNull();
        MessageSchemas.Of([new MessageHeader("format", "json"u8.ToArray())]).Should().BeNull();
    }

    private static string SchemasFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SaasMonitor.sln")))
            {
                return Path.Combine(dir.FullName, "schemas");
            }
        }

        throw new DirectoryNotFoundException("SaasMonitor.sln not found above the test directory.");
    }
}
