using System.Security.Cryptography.X509Certificates;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Search;
using ClusterHealthStatus = Elastic.Clients.Elasticsearch.HealthStatus;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace SaasMonitor.Elasticsearch;

public static class ElasticsearchRegistration
{
    /// <summary>
    /// Log search on the Elasticsearch cluster that section "SaasMonitor:Elasticsearch" names (daily indices from one
    /// template); the cluster's health is reported as "search_cluster".
    /// </summary>
    public static IHostApplicationBuilder AddElasticsearchSearch(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ElasticsearchOptions>()
            .Bind(builder.Configuration.GetSection(ElasticsearchOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => CreateClient(Options(sp)));
        builder.Services.AddSingleton<ISearchStore>(sp => new ElasticsearchSearchStore(
            sp.GetRequiredService<ElasticsearchClient>(), Options(sp), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "search_cluster", sp => new ClusterHealthCheck(sp.GetRequiredService<ElasticsearchClient>()), HealthStatus.Unhealthy, tags: null));
        return builder;
    }

    /// <summary>The official client, signed in and trusting the cluster's certificate as the options say; documents are the events topic's JSON.</summary>
    internal static ElasticsearchClient CreateClient(ElasticsearchOptions options)
    {
        var settings = new ElasticsearchClientSettings(new SingleNodePool(new Uri(options.Url)), (builtIn, _) => new EventSourceSerializer(builtIn))
            .RequestTimeout(options.RequestTimeout)
            .EnableHttpCompression();
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            settings.Authentication(new ApiKey(options.ApiKey));
        }
        else if (!string.IsNullOrEmpty(options.Username))
        {
            settings.Authentication(new BasicAuthentication(options.Username, options.Password!));
        }

        if (!string.IsNullOrEmpty(options.CertificateFingerprint))
        {
            settings.CertificateFingerprint(options.CertificateFingerprint);
        }
        else if (!string.IsNullOrEmpty(options.CaCertificatePath))
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(options.CaCertificatePath);
            settings.ServerCertificateValidationCallback(CertificateValidations.AuthorityIsRoot(ca));
        }

        return new ElasticsearchClient(settings);
    }

    private static ElasticsearchOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<ElasticsearchOptions>>().Value;

    /// <summary>green is healthy; yellow (replicas unassigned) degraded; red, or no answer, down.</summary>
    private sealed class ClusterHealthCheck(ElasticsearchClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var health = await client.Cluster.HealthAsync(cancellationToken).ConfigureAwait(false);
            if (!health.IsValidResponse)
            {
                return new HealthCheckResult(
                    context.Registration.FailureStatus,
                    "elasticsearch is unreachable: ingest keeps accepting, the indexer catches up once it answers",
                    health.ApiCallDetails.OriginalException);
            }

            var detail = $"cluster '{health.ClusterName}' {health.Status.ToString().ToLowerInvariant()}: {health.NumberOfNodes} nodes, {health.ActiveShards} active shards, {health.UnassignedShards} unassigned";
            return health.Status switch
            {
                ClusterHealthStatus.Green => HealthCheckResult.Healthy(detail),
                ClusterHealthStatus.Yellow => HealthCheckResult.Degraded(detail),
                _ => new HealthCheckResult(context.Registration.FailureStatus, detail),
            };
        }
    }
}
