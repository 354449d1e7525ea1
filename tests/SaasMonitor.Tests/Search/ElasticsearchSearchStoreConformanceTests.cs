using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;
using SaasMonitor.Core.Search;
using SaasMonitor.Elasticsearch;
using SaasMonitor.Tests.Conformance;

namespace SaasMonitor.Tests.Search;

/// <summary>
/// The search conformance suite against a real Elasticsearch cluster, when <see cref="Variable"/> names one
/// (<c>https://user:password@host:9200</c>; <see cref="FingerprintVariable"/> for a self-signed certificate); skipped
/// with the reason otherwise. Each store gets its own index prefix; its indices and template are deleted afterwards.
/// </summary>
public sealed class ElasticsearchSearchStoreConformanceTests : SearchStoreConformanceTests, IAsyncLifetime
{
    public const string Variable = "SAASMON_TEST_ELASTICSEARCH_URL";
    public const string FingerprintVariable = "SAASMON_TEST_ELASTICSEARCH_FINGERPRINT";

    private readonly List<(ElasticsearchClient Client, string Prefix)> _stores = [];

    protected override Task<ISearchStore> CreateStoreAsync()
    {
        var url = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(url))
        {
            Assert.Skip($"no Elasticsearch cluster: set {Variable}=https://user:password@host:9200 (and {FingerprintVariable} for a self-signed certificate) to run this suite against one");
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
        return Task.FromResult<ISearchStore>(new ElasticsearchSearchStore(client, options, TimeProvider.System));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

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
