using System.Reflection;

namespace SaasMonitor.Tests.Hosting;

/// <summary>
/// Modules and Hosting are written against the ports only: no engine's adapter or client is referenced by their
/// code. Hosts pick the adapters (SaasMonitor.Engines), each adapter registers itself.
/// </summary>
public sealed class AdapterReferenceTests
{
    private static readonly string[] Modules = ["Ingest.Gateway", "Parser.Worker", "Indexer.Worker", "Aggregator.Worker", "Dashboard.Web", "Alerting.Worker"];

    /// <summary>The adapters and the engines' own client libraries.</summary>
    private static readonly string[] EngineAssemblies =
    [
        "SaasMonitor.Embedded", "SaasMonitor.Kafka", "SaasMonitor.Elasticsearch", "SaasMonitor.MongoDB", "SaasMonitor.Redis",
        "Lucene.Net", "Microsoft.Data.Sqlite", "Confluent.Kafka", "Elastic.Clients.Elasticsearch", "MongoDB.Driver", "StackExchange.Redis",
    ];

    public static TheoryData<string> ModulesAndHosting() =>
        [.. Modules.Where(m => File.Exists(Path.Combine(AppContext.BaseDirectory, m + ".dll"))).Append("SaasMonitor.Hosting")];

    [Theory]
    [MemberData(nameof(ModulesAndHosting))]
    public void References_no_adapter_and_no_engine_client(string assembly)
    {
        var references = Assembly.Load(new AssemblyName(assembly)).GetReferencedAssemblies().Select(a => a.Name!);

        references.Should().NotIntersectWith(EngineAssemblies, $"{assembly} reaches engines only through the ports in SaasMonitor.Core");
    }

    [Fact]
    public void Every_module_of_the_pipeline_is_checked()
    {
        ModulesAndHosting().Select(row => row.Data).Should().Contain(Modules.Take(5));
    }

    [Fact]
    public void The_hosts_choice_of_engines_is_what_references_the_adapters()
    {
        var references = typeof(SaasMonitor.Engines.EngineSelection).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        references.Should().Contain(["SaasMonitor.Embedded", "SaasMonitor.Kafka"]);
    }
}
