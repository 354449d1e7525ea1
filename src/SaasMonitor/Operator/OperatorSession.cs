using System.ComponentModel.DataAnnotations;
using SaasMonitor.Core.Bus;
using SaasMonitor.Hosting;

namespace SaasMonitor.Operator;

/// <summary>What an operator command works with: the server's configuration, the bus it names, and the console.</summary>
internal sealed class OperatorSession : IAsyncDisposable
{
    private OperatorSession(SaasMonitorOptions options, IMessageBus bus, TextWriter output)
    {
        Options = options;
        Bus = bus;
        Output = output;
    }

    public SaasMonitorOptions Options { get; }

    public IMessageBus Bus { get; }

    public TextWriter Output { get; }

    /// <summary>
    /// Reads the configuration the server reads (appsettings.json, SAASMON_DATA_DIR, SaasMonitor__* environment,
    /// <paramref name="settings"/> such as <c>--SaasMonitor:Key=value</c>) and opens its bus.
    /// <paramref name="activity"/> completes the sentence "stop it before ..." when the embedded server holds the journal.
    /// </summary>
    public static OperatorSession Open(IReadOnlyList<string> settings, string activity, TextWriter output)
    {
        var options = LoadOptions(settings);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        if (options.Bus == "Embedded" && !Directory.Exists(Path.Combine(dataDirectory, "journal")))
        {
            throw new OperatorException($"There is no SaasMonitor data in {dataDirectory}: pass --data-dir or set {SaasMonitor.Hosting.HostDefaults.DataDirVariable}.");
        }

        try
        {
            return new OperatorSession(options, BusFactory.Create(options), output);
        }
        catch (BusException e) when (e.InnerException is IOException)
        {
            throw new OperatorException($"The server using {dataDirectory} is running; stop it before {activity}.");
        }
    }

    internal static SaasMonitorOptions LoadOptions(IReadOnlyList<string> settings)
    {
        var builder = new ConfigurationBuilder();
        if (Environment.GetEnvironmentVariable(SaasMonitor.Hosting.HostDefaults.DataDirVariable) is { Length: > 0 } dataDir)
        {
            builder.AddInMemoryCollection([new($"{SaasMonitorOptions.Section}:{nameof(SaasMonitorOptions.DataDirectory)}", dataDir)]);
        }

        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production;
        var configuration = builder
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(CommandLine.Expand([.. settings]))
            .Build();
        var options = new SaasMonitorOptions();
        configuration.GetSection(SaasMonitorOptions.Section).Bind(options);
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            throw new OperatorException(string.Join(" ", errors.Select(e => e.ErrorMessage)));
        }

        return options;
    }

    public ValueTask DisposeAsync() => Bus.DisposeAsync();
}

/// <summary>An operator command cannot go on; its message is the whole story for the operator.</summary>
internal sealed class OperatorException(string message) : Exception(message);
