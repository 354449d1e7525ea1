using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parser.Worker;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;

namespace SaasMonitor.EndToEnd;

/// <summary>Tests that touch process-wide state (environment variables, memory measurements) run alone, after the others.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>How a host is configured at start. Runs alone: it sets a process-wide environment variable.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class HostConfigurationTests
{
    [Fact]
    public async Task A_module_started_alone_on_the_embedded_bus_is_refused_with_one_sentence_saying_why()
    {
        var dataDir = TempDirectory();
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = ["--urls", "http://127.0.0.1:0", $"--SaasMonitor:DataDirectory={dataDir}", "--Serilog:MinimumLevel:Default=Warning"],
            });
            await using var app = builder.AddSaasMonitorDefaults().AddEngines().AddParserWorker().Build();
            app.MapSaasMonitorDefaults();

            var refused = await ((Func<Task>)(() => app.StartAsync(TestContext.Current.CancellationToken))).Should().ThrowAsync<OptionsValidationException>();

            refused.Which.Failures.Should().ContainSingle().Which.Should().Contain("embedded bus").And.Contain("start `saasmon`");
        }
        finally
        {
            DeleteIfPresent(dataDir);
        }
    }

    [Fact]
    public async Task SAASMON_DATA_DIR_sets_the_data_directory_when_nothing_else_does()
    {
        var dataDir = TempDirectory();
        var before = Environment.GetEnvironmentVariable(HostDefaults.DataDirVariable);
        Environment.SetEnvironmentVariable(HostDefaults.DataDirVariable, dataDir);
        try
        {
            await using var app = AllInOne.Build(["--urls", "http://127.0.0.1:0", "--Serilog:MinimumLevel:Default=Warning", .. InProcessHost.NoListeners]);
            app.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.DataDirectory.Should().Be(dataDir);
            await app.StartAsync(TestContext.Current.CancellationToken);
            await app.StopAsync(TestContext.Current.CancellationToken);

            Directory.Exists(Path.Combine(dataDir, "journal")).Should().BeTrue();
            File.Exists(Path.Combine(dataDir, "saasmon.db")).Should().BeTrue();

            var commandLine = TempDirectory();
            await using var overridden = AllInOne.Build(["--data-dir", commandLine]);
            overridden.Services.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.DataDirectory.Should().Be(commandLine, "--data-dir wins over the environment");
        }
        finally
        {
            Environment.SetEnvironmentVariable(HostDefaults.DataDirVariable, before);
            DeleteIfPresent(dataDir);
        }
    }

    private static void DeleteIfPresent(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "saasmon-e2e-" + Guid.NewGuid().ToString("N"));
}
