using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Elasticsearch;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;
using SaasMonitor.Kafka;
using SaasMonitor.MongoDB;
using SaasMonitor.Redis;

namespace SaasMonitor.Tests.Hosting;

/// <summary>Each engine reads and checks its own keys at start; the hosts pick one engine per port.</summary>
public sealed class EngineOptionsTests
{
    [Fact]
    public void The_Kafka_bus_without_bootstrap_servers_is_refused_with_one_sentence_naming_the_setting()
    {
        using var app = Host("--SaasMonitor:Bus=Kafka");

        var kafka = () => app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;

        kafka.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().Contain("SaasMonitor:Kafka:BootstrapServers");
    }

    [Fact]
    public async Task The_Kafka_bus_reads_its_own_section_and_accepts_a_process_running_only_some_modules()
    {
        await using var app = Host("--SaasMonitor:Bus=Kafka", "--SaasMonitor:Kafka:BootstrapServers=kafka-1:9092,kafka-2:9092", "--SaasMonitor:Kafka:ReplicationFactor=3");

        app.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Bus.Should().Be("Kafka");
        var kafka = app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        kafka.BootstrapServers.Should().Be("kafka-1:9092,kafka-2:9092");
        kafka.ReplicationFactor.Should().Be(3);
    }

    [Theory]
    [InlineData("Embedded", typeof(SaasMonitor.Embedded.Journal.JournalBus))]
    [InlineData("Kafka", typeof(KafkaBus))]
    public async Task The_configured_bus_is_the_one_registered(string engine, Type expected)
    {
        await using var app = Host($"--SaasMonitor:Bus={engine}", "--SaasMonitor:Kafka:BootstrapServers=127.0.0.1:9092", $"--SaasMonitor:DataDirectory={Path.Combine(Path.GetTempPath(), "saasmon-bus-" + Guid.NewGuid().ToString("N"))}");

        app.Services.GetRequiredService<IMessageBus>().Should().BeOfType(expected);
    }

    [Theory]
    [InlineData("Bus", "Rabbit", "*SaasMonitor:Bus must be Embedded or Kafka, not 'Rabbit'*")]
    [InlineData("Search", "Solr", "*SaasMonitor:Search must be Lucene*")]
    [InlineData("Store", "Postgres", "*SaasMonitor:Store must be Sqlite*")]
    [InlineData("Cache", "Memcached", "*SaasMonitor:Cache must be Memory*")]
    public void An_unknown_engine_is_refused_naming_the_choices(string port, string engine, string message)
    {
        var host = () => Host($"--SaasMonitor:{port}={engine}");

        host.Should().Throw<OptionsValidationException>().WithMessage(message);
    }

    [Theory]
    [InlineData("", "SaasMonitor:Redis:Configuration (host:port")]
    [InlineData("127.0.0.1:6379,bogus=1", "is not a Redis configuration")]
    public void The_Redis_cache_without_a_usable_server_setting_is_refused_with_one_sentence(string configuration, string sentence)
    {
        using var app = Host("--SaasMonitor:Cache=Redis", $"--SaasMonitor:Redis:Configuration={configuration}");

        var redis = () => app.Services.GetRequiredService<IOptions<RedisOptions>>().Value;

        redis.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Contain(sentence);
    }

    [Theory]
    [InlineData("", "set SaasMonitor:Elasticsearch:Url")]
    [InlineData("--SaasMonitor:Elasticsearch:Url=ftp://es:9200", "set SaasMonitor:Elasticsearch:Url")]
    [InlineData("--SaasMonitor:Elasticsearch:ApiKey=k --SaasMonitor:Elasticsearch:Username=u --SaasMonitor:Elasticsearch:Password=p", "either SaasMonitor:Elasticsearch:ApiKey or Username and Password")]
    [InlineData("--SaasMonitor:Elasticsearch:Username=elastic", "Username and Password go together")]
    [InlineData("--SaasMonitor:Elasticsearch:CertificateFingerprint=abc", "64 hex digits")]
    [InlineData("--SaasMonitor:Elasticsearch:CaCertificatePath=/no/such/ca.crt", "names no file")]
    [InlineData("--SaasMonitor:Elasticsearch:IndexPrefix=Logs*", "IndexPrefix must be lower-case")]
    public void The_Elasticsearch_search_store_with_an_unusable_setting_is_refused_with_one_sentence(string settings, string sentence)
    {
        string[] url = settings.Contains("Url=", StringComparison.Ordinal) || settings.Length == 0 ? [] : ["--SaasMonitor:Elasticsearch:Url=https://es:9200"];
        using var app = Host(["--SaasMonitor:Search=Elasticsearch", .. url, .. settings.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        var options = () => app.Services.GetRequiredService<IOptions<ElasticsearchOptions>>().Value;

        options.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Contain(sentence);
    }

    [Theory]
    [InlineData("Lucene", "LuceneSearchStore")]
    [InlineData("Elasticsearch", "ElasticsearchSearchStore")]
    public async Task The_configured_search_store_is_the_one_registered_and_the_live_tail_matcher_is_there_either_way(string engine, string expected)
    {
        await using var app = Host(
            $"--SaasMonitor:Search={engine}",
            "--SaasMonitor:Elasticsearch:Url=https://es:9200",
            "--SaasMonitor:Elasticsearch:ApiKey=a2V5",
            $"--SaasMonitor:DataDirectory={Path.Combine(Path.GetTempPath(), "saasmon-search-" + Guid.NewGuid().ToString("N"))}");

        app.Services.GetRequiredService<ISearchStore>().GetType().Name.Should().Be(expected);
        app.Services.GetRequiredService<IEventMatcher>().Should().NotBeNull();
    }

    [Fact]
    public void The_MongoDB_stores_without_a_connection_string_are_refused_with_one_sentence_naming_the_setting()
    {
        using var app = Host("--SaasMonitor:Store=MongoDB");

        var mongo = () => app.Services.GetRequiredService<IOptions<MongoOptions>>().Value;

        mongo.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().Contain("SaasMonitor:MongoDB:ConnectionString");
    }

    [Fact]
    public async Task With_the_MongoDB_store_every_store_port_and_the_file_bytes_are_served_by_MongoDB()
    {
        await using var app = Host("--SaasMonitor:Store=MongoDB", "--SaasMonitor:MongoDB:ConnectionString=mongodb://127.0.0.1:1/?replicaSet=rs0", "--SaasMonitor:MongoDB:Database=sm");

        app.Services.GetRequiredService<IOptions<MongoOptions>>().Value.Database.Should().Be("sm");
        object[] stores =
        [
            app.Services.GetRequiredService<IKpiStore>(), app.Services.GetRequiredService<IMetadataStore>(), app.Services.GetRequiredService<IIdentityStore>(),
            app.Services.GetRequiredService<IAlertStore>(), app.Services.GetRequiredService<IFileBlobStore>(),
        ];
        stores.Should().OnlyContain(s => s.GetType().Assembly == typeof(MongoOptions).Assembly);
        app.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository!.GetType().Assembly.Should()
            .BeSameAs(typeof(MongoOptions).Assembly, "processes on different machines share the Data Protection key ring through the store");
    }

    [Fact]
    public async Task With_the_embedded_store_the_Data_Protection_key_ring_is_in_the_data_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "saasmon-keys-" + Guid.NewGuid().ToString("N"));
        await using var app = Host($"--SaasMonitor:DataDirectory={folder}");

        var ring = app.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;

        ring.Should().BeOfType<FileSystemXmlRepository>().Which.Directory.FullName.Should().Be(Path.Combine(folder, "keys"));
    }

    [Fact]
    public void Topics_that_are_blank_or_shared_are_refused_with_one_sentence()
    {
        using var app = Host("--SaasMonitor:Bus=Kafka", "--SaasMonitor:Kafka:BootstrapServers=k:9092", "--SaasMonitor:Topics:Events=logs.raw");

        var options = () => app.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value;

        options.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().Contain("three different topics");
    }

    /// <summary>A host composed as a module's own host is: defaults, the configured engines and the parser module only.</summary>
    private static WebApplication Host(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--SaasMonitor:DataDirectory=" + Path.GetTempPath(), .. args] });
        builder.AddSaasMonitorDefaults().AddEngines();
        builder.Services.AddPipelineModule(PipelineModule.Parser);
        return builder.Build();
    }
}
