using Dashboard.Web;
using Indexer.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Embedded;

namespace SaasMonitor.Tests.Hosting;

/// <summary>What sharing one process changes is set by the all-in-one explicitly, and configuration can still override it.</summary>
public sealed class AllInOneSettingsTests
{
    [Fact]
    public async Task The_all_in_one_writes_the_index_commits_every_10_s_and_keeps_KPI_answers_30_s()
    {
        await using var app = AllInOne.Build(["--data-dir", Path.GetTempPath()]);

        app.Services.GetRequiredService<IOptions<EmbeddedOptions>>().Value.IndexWriter.Should().BeTrue();
        app.Services.GetRequiredService<IOptions<IndexerOptions>>().Value.CommitInterval.Should().Be(TimeSpan.FromSeconds(10));
        app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.KpiCacheTtl.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_command_line_still_wins_over_the_all_in_one_settings()
    {
        await using var app = AllInOne.Build(["--data-dir", Path.GetTempPath(), "--SaasMonitor:Indexer:CommitInterval=00:00:03"]);

        app.Services.GetRequiredService<IOptions<IndexerOptions>>().Value.CommitInterval.Should().Be(TimeSpan.FromSeconds(3));
    }
}
