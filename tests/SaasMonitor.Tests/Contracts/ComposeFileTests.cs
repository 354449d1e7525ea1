using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dashboard.Web;
using Indexer.Worker;
using Ingest.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Elasticsearch;
using SaasMonitor.Embedded;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.Security;
using SaasMonitor.Kafka;
using SaasMonitor.MongoDB;
using SaasMonitor.Redis;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace SaasMonitor.Tests.Contracts;

/// <summary>
/// docker-compose.yml cannot be run here (no Docker engine), so its invariants are checked by reading it: every
/// module setting is a key the code binds and passes the code's validation, secrets have no defaults, engines are
/// healthy before the modules start, and only the gateway and the dashboard are reachable from other machines.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] Modules = ["gateway", "parser", "indexer", "aggregator", "alerting", "dashboard"];
    private static readonly string[] Published = ["gateway", "dashboard"];

    /// <summary>The options classes the hosts bind, by configuration section.</summary>
    private static readonly Dictionary<string, Type[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [SaasMonitorOptions.Section] = [typeof(SaasMonitorOptions), typeof(EmbeddedOptions)],
        [KafkaOptions.Section] = [typeof(KafkaOptions)],
        [RedisOptions.Section] = [typeof(RedisOptions)],
        [ElasticsearchOptions.Section] = [typeof(ElasticsearchOptions)],
        [MongoOptions.Section] = [typeof(MongoOptions)],
        [AuthOptions.Section] = [typeof(AuthOptions)],
        [DashboardOptions.Section] = [typeof(DashboardOptions)],
        [IndexerOptions.Section] = [typeof(IndexerOptions)],
        [IngestOptions.Section] = [typeof(IngestOptions)],
    };

    private static readonly string Root = FindRoot();
    private static readonly Dictionary<object, object> Compose = Load("docker-compose.yml");

    public static TheoryData<string> ModuleServices() => [.. Modules];

    [Theory]
    [MemberData(nameof(ModuleServices))]
    public void Every_setting_of_a_module_is_a_key_the_code_binds(string service)
    {
        foreach (var (key, value) in Environment(service))
        {
            var path = key.Split("__");
            if (EngineSelection.Choices.TryGetValue(string.Join(':', path), out var engines))
            {
                engines.Should().Contain(value, $"{service}: {key} names an engine");
                continue;
            }

            Binds(path).Should().BeTrue($"{service}: {key} should be a key some options class binds");
        }
    }

    [Theory]
    [MemberData(nameof(ModuleServices))]
    public async Task The_settings_of_a_module_pass_the_validation_its_host_runs_at_start(string service)
    {
        var settings = Environment(service).Select(s => $"--{s.Key.Replace("__", ":", StringComparison.Ordinal)}={WithSecrets(s.Value)}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [$"--SaasMonitor:DataDirectory={Path.GetTempPath()}", .. settings] });
        builder.AddSaasMonitorDefaults().AddEngines();
        await using var app = builder.Build();

        app.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Bus.Should().Be("Kafka");
        app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers.Should().Be("kafka:9092");
        app.Services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration.Should().StartWith("redis:6379,password=");
        app.Services.GetRequiredService<IOptions<ElasticsearchOptions>>().Value.Url.Should().Be("http://elasticsearch:9200");
        app.Services.GetRequiredService<IOptions<MongoOptions>>().Value.ConnectionString.Should().StartWith("mongodb://saasmon:").And.Contain("@mongo:27017/?replicaSet=rs0");
        app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.BootstrapAdmin.Name.Should().Be("admin");
    }

    [Fact]
    public void Secrets_have_no_defaults_and_are_all_listed_in_the_env_example()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        var example = File.ReadAllLines(Path.Combine(Root, ".env.example")).Where(l => l.Length > 0 && l[0] != '#').ToList();

        var references = Interpolation().Matches(text).Select(m => m.Value).ToList();
        references.Should().NotBeEmpty().And.OnlyContain(r => RequiredVariable().IsMatch(r), "every variable is required (${NAME:?message}), never defaulted");
        var names = references.Select(r => RequiredVariable().Match(r).Groups[1].Value).Distinct();
        example.Should().BeEquivalentTo(names.Select(n => n + "="), "the example lists every secret, with no value");
    }

    [Fact]
    public void Modules_start_once_the_engines_they_use_are_healthy_and_those_engines_have_health_checks()
    {
        foreach (var module in Modules)
        {
            var dependsOn = Map(Service(module)["depends_on"]);
            dependsOn.Keys.Should().Contain(["kafka", "redis", "elasticsearch", "mongo"], module);
            foreach (var (engine, condition) in dependsOn)
            {
                Map(condition)["condition"].Should().Be("service_healthy", $"{module} waits for {engine}");
                Service((string)engine).Should().ContainKey("healthcheck", $"{engine} says when it is healthy");
            }
        }
    }

    [Fact]
    public void Only_the_gateway_and_the_dashboard_are_reachable_from_other_machines()
    {
        foreach (var (name, service) in Map(Compose["services"]))
        {
            var ports = Map(service).TryGetValue("ports", out var p) ? ((IList)p).Cast<string>().ToList() : [];
            if (!Published.Contains((string)name))
            {
                ports.Where(port => !port.StartsWith("127.0.0.1:", StringComparison.Ordinal)).Should().BeEmpty($"{name} listens on this host's loopback only");
            }
        }

        Published.Should().OnlyContain(s => Service(s).ContainsKey("ports"));
    }

    [Fact]
    public void Every_mounted_file_exists_and_the_grafana_dashboard_queries_prometheus()
    {
        foreach (var (name, service) in Map(Compose["services"]))
        {
            var volumes = Map(service).TryGetValue("volumes", out var v) ? ((IList)v).Cast<string>() : [];
            foreach (var source in volumes.Where(s => s.StartsWith("./", StringComparison.Ordinal)).Select(s => s.Split(':')[0]))
            {
                Path.Exists(Path.Combine(Root, source)).Should().BeTrue($"{name} mounts {source}");
            }
        }

        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy/grafana/dashboards/saasmonitor-pipeline.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        panels.Select(p => p.GetProperty("title").GetString()).Should().Contain(["Ingest rate per stage", "Consumer lag per group", "Stage failures", "Dead letters (parser)", "API latency"]);
        panels.Should().OnlyContain(p => p.GetProperty("targets").GetArrayLength() > 0);
    }

    /// <summary>True when <paramref name="path"/> (section keys, then property names) ends on a property of a bound options class.</summary>
    private static bool Binds(string[] path)
    {
        for (var split = path.Length - 1; split >= 1; split--)
        {
            if (Sections.TryGetValue(string.Join(':', path[..split]), out var types) && types.Any(t => Walk(t, path[split..])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Walk(Type type, string[] rest)
    {
        var property = type.GetProperty(rest[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
        {
            return false;
        }

        if (rest.Length == 1 || typeof(IDictionary).IsAssignableFrom(property.PropertyType))
        {
            return true;
        }

        return Walk(property.PropertyType, rest[1..]);
    }

    /// <summary>A service's environment, with the x-module anchors merged in.</summary>
    private static IEnumerable<(string Key, string Value)> Environment(string service) =>
        Map(Service(service)["environment"]).Select(e => ((string)e.Key, (string)e.Value));

    /// <summary>Values a user would put in .env for the compose secrets.</summary>
    private static string WithSecrets(string value) => RequiredVariable().Replace(value, m => m.Groups[1].Value switch
    {
        "SAASMON_ADMIN_PASSWORD" => "a-long-unusual-passphrase-42",
        var other => other.ToLowerInvariant(),
    });

    private static Dictionary<object, object> Service(string name) => Map(Map(Compose["services"])[name]);

    private static Dictionary<object, object> Map(object node) => (Dictionary<object, object>)node;

    private static Dictionary<object, object> Load(string file)
    {
        using var reader = new StreamReader(Path.Combine(Root, file));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new YamlDotNet.Core.Parser(reader)));
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SaasMonitor.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("SaasMonitor.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"\$\{([A-Z_]+):\?[^}]+\}")]
    private static partial Regex RequiredVariable();
}
