using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Core.Identity;
using SaasMonitor.Engines;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Operator;

/// <summary>
/// What an operator command works with: the server's configuration, the engines it names (the server's own
/// registrations; each opened on first use), and the console.
/// </summary>
internal sealed class OperatorSession : IAsyncDisposable
{
    private readonly string _activity;
    private readonly ServiceProvider _engines;
    private Accounts? _accounts;
    private AuditLog? _audit;

    private OperatorSession(IConfiguration configuration, string activity, TextWriter output)
    {
        Options = Bind<SaasMonitorOptions>(configuration, SaasMonitorOptions.Section);
        Auth = Bind<AuthOptions>(configuration, AuthOptions.Section);
        _activity = activity;
        Output = output;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(configuration);
        _engines = builder.AddEngines().Services.BuildServiceProvider();
    }

    public SaasMonitorOptions Options { get; }

    public AuthOptions Auth { get; }

    public TextWriter Output { get; }

    /// <summary>The bus; opening the embedded journal fails with one sentence while the server holds it.</summary>
    public IMessageBus Bus => OpenBus();

    /// <summary>The dead-letter topic on <see cref="Bus"/>.</summary>
    public DeadLetterQueue DeadLetters => new(Bus, Options, Audit);

    /// <summary>Users, tokens, keys and audit (the embedded SQLite store allows this beside a running server).</summary>
    public IIdentityStore Identity => Engine<IIdentityStore>();

    /// <summary>Account changes with the server's rules, audited as done by the operator at this machine's console.</summary>
    public Accounts Accounts => _accounts ??= new Accounts(Identity, new Passwords(Microsoft.Extensions.Options.Options.Create(Auth)), Audit, TimeProvider.System);

    private AuditLog Audit => _audit ??= new AuditLog(Identity, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditLog>.Instance);

    /// <summary>Writes what the operator did to the audit log.</summary>
    public Task AuditAsync(string action, string? target, string? detail, CancellationToken ct) =>
        Audit.RecordAsync(Operator.Name, Operator.Address, action, target, success: true, detail, ct);

    /// <summary>Who the audit log says acted: the operator's OS account at the console.</summary>
    public static Actor Operator => new($"operator:{Environment.UserName}", "console");

    /// <summary>
    /// Reads the configuration the server reads (appsettings.json, SAASMON_DATA_DIR, SaasMonitor__* environment,
    /// <paramref name="settings"/> such as <c>--SaasMonitor:Key=value</c>).
    /// <paramref name="activity"/> completes the sentence "stop it before ..." when the embedded server holds the journal.
    /// </summary>
    public static OperatorSession Open(IReadOnlyList<string> settings, string activity, TextWriter output)
    {
        try
        {
            return new OperatorSession(LoadConfiguration(settings), activity, output);
        }
        catch (OptionsValidationException e)
        {
            throw new OperatorException(e.Message);
        }
    }

    private IMessageBus OpenBus()
    {
        var dataDirectory = Path.GetFullPath(Options.DataDirectory);
        if (Options.Bus == SaasMonitorOptions.EmbeddedBus && !Directory.Exists(Path.Combine(dataDirectory, "journal")))
        {
            throw new OperatorException($"There is no SaasMonitor data in {dataDirectory}: pass --data-dir or set {SaasMonitor.Hosting.HostDefaults.DataDirVariable}.");
        }

        try
        {
            return Engine<IMessageBus>();
        }
        catch (BusException e) when (e.InnerException is IOException)
        {
            throw new OperatorException($"The server using {dataDirectory} is running; stop it before {_activity}.");
        }
    }

    /// <summary>The engine serving port <typeparamref name="T"/>; configuration the engine refuses is the whole story for the operator.</summary>
    private T Engine<T>()
        where T : notnull
    {
        try
        {
            return _engines.GetRequiredService<T>();
        }
        catch (OptionsValidationException e)
        {
            throw new OperatorException(e.Message);
        }
    }

    internal static SaasMonitorOptions LoadOptions(IReadOnlyList<string> settings) => Bind<SaasMonitorOptions>(LoadConfiguration(settings), SaasMonitorOptions.Section);

    private static IConfiguration LoadConfiguration(IReadOnlyList<string> settings)
    {
        var builder = new ConfigurationBuilder();
        if (Environment.GetEnvironmentVariable(SaasMonitor.Hosting.HostDefaults.DataDirVariable) is { Length: > 0 } dataDir)
        {
            builder.AddInMemoryCollection([new($"{SaasMonitorOptions.Section}:{nameof(SaasMonitorOptions.DataDirectory)}", dataDir)]);
        }

        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environments.Production;
        return builder
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(CommandLine.Expand([.. settings]))
            .Build();
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            throw new OperatorException(string.Join(" ", errors.Select(e => e.ErrorMessage)));
        }

        return options;
    }

    public ValueTask DisposeAsync() => _engines.DisposeAsync();
}

/// <summary>An operator command cannot go on; its message is the whole story for the operator.</summary>
internal sealed class OperatorException(string message) : Exception(message);
