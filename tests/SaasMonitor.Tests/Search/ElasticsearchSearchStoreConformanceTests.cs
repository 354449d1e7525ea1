using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;
using SaasMonitor.Core.Search;
using SaasMonitor.Elasticsearch;
using DotNet.Testcontainers.Builders;
using SaasMonitor.Testing;
using SaasMonitor.Tests.Conformance;

namespace SaasMonitor.Tests.Search;

/// <summary>
/// The search conformance suite against a real Elasticsearch cluster: the one <see cref="Variable"/> names
/// (<c>https://user:password@host:9200</c>; <see cref="FingerprintVariable"/> for a self-signed certificate), else a
/// single node started in Docker (Testcontainers) for the whole run; skipped with the reason without either. Each
/// store gets its own index prefix; its indices and template are deleted afterwards.
/// </summary>
public sealed class ElasticsearchSearchStoreConformanceTests : SearchStoreConformanceTests, IAsyncLifetime
{
    public const string Variable = "SAASMON_TEST_ELASTICSEARCH_URL";
    public const string FingerprintVariable = "SAASMON_TEST_ELASTICSEARCH_FINGERPRINT";

    /// <summary>The version docker-compose.yml runs. Security is off in this throwaway node: the suite checks search, not TLS.</summary>
    private const string Image = "docker.elastic.co/elasticsearch/elasticsearch:9.2.1";

    /// <summary>One node for the whole run when Docker answers; Testcontainers removes it when the test process ends.</summary>
    private static readonly Lazy<Task<string?>> InDocker = new(StartInDockerAsync);

    private readonly List<(ElasticsearchClient Client, string Prefix)> _stores = [];

    protected override async Task<ISearchStore> CreateStoreAsync()
    {
        var url = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } set ? set : await InDocker.Value;
        if (url is null)
        {
            Assert.Skip($"no Elasticsearch cluster: set {Variable}=https://user:password@host:9200 (and {FingerprintVariable} for a self-signed certificate) or run with Docker (neither is available on this machine)");
        }

        var uri = new Uri(url!);
        var credentials = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
        var options = new ElasticsearchOptions
        {
            Url = uri.GetLeftPart(UriPartial.Authority),
            Username = credentials.Length == 2 ? credentials[0] : null,
            Password = credentials.Length == 2 ? credentials[1] : null,
            CertificateFingerprint = Environment.GetEnvironmentVariable(FingerprintVariable),
            IndexPrefix = "saasmon-test-" + Guid.NewGuid().ToString("N")[..12],
        };
        var client = ElasticsearchRegistration.CreateClient(options);
        _stores.Add((client, options.IndexPrefix));
        return new ElasticsearchSearchStore(client, options, TimeProvider.System);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private static async Task<string?> StartInDockerAsync()
    {
        if (!await DockerEngine.AnswersAsync())
        {
            return null;
        }

        var node = new ContainerBuilder(Image)
            .WithEnvironment("discovery.type", "single-node")
            .WithEnvironment("xpack.security.enabled", "false")
            .WithEnvironment("ES_JAVA_OPTS", "-Xms1g -Xmx1g")
            .WithPortBinding(9200, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(9200).ForPath("/_cluster/health?wait_for_status=yellow")))
            .Build();
        await node.StartAsync();
        return $"http://{node.Hostname}:{node.GetMappedPublicPort(9200)}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (client, prefix) in _stores)
        {
            // Deleting by wildcard is refused by default (action.destructive_requires_name), so by name.
            var found = await client.Indices.GetAsync(new GetIndexRequest(prefix + "-events-*") { Features = [Feature.Aliases] });
            if (found.IsValidResponse && found.Indices.Count > 0)
            {
                await client.Indices.DeleteAsync(new DeleteIndexRequest(string.Join(',', found.Indices.Keys)));
            }

            await client.Indices.DeleteIndexTemplateAsync(new DeleteIndexTemplateRequest(prefix + "-events"));
        }
    }
}
