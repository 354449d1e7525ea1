using System.ComponentModel.DataAnnotations;
using SaasMonitor.Core.Bus;
using SaasMonitor.Hosting.DeadLetters;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Operator;

/// <summary>
/// What an operator command works with: the server's configuration, the bus it names (opened on first use), the
/// accounts of its data folder (opened on first use), and the console.
/// </summary>
internal sealed class OperatorSession : IAsyncDisposable
{
    private readonly string _activity;
    private IMessageBus? _bus;
    private IIdentityStore? _identity;
    private Accounts? _accounts;
    private AuditLog? _audit;

    private OperatorSession(SaasMonitorOptions options, AuthOptions auth, string activity, TextWriter output)
    {
        Options = options;
        Auth = auth;
        _activity = activity;
        Output = output;
    }

    public SaasMonitorOptions Options { get; }

    public AuthOptions Auth { get; }

    public TextWriter Output { get; }

    /// <summary>The bus; opening the embedded journal fails with one sentence while the server holds it.</summary>
    public IMessageBus Bus => _bus ??= OpenBus();

    /// <summary>The dead-letter topic on <see cref="Bus"/>.</summary>
    public DeadLetterQueue DeadLetters => new(Bus, Options, Audit);

    /// <summary>Users, tokens, keys and audit of the data folder (SQLite allows this beside a running server).</summary>
    public IIdentityStore Identity => _identity ??= StoreFactory.Identity(Options);

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
        var configuration = LoadConfiguration(settings);
        return new OperatorSession(Bind<SaasMonitorOptions>(configuration, SaasMonitorOptions.Section), Bind<AuthOptions>(configuration, AuthOptions.Section), activity, output);
    }

    private IMessageBus OpenBus()
    {
        var dataDirectory = Path.GetFullPath(Options.DataDirectory);
        if (Options.Bus == "Embedded" && !Directory.Exists(Path.Combine(dataDirectory, "journal")))
        {
            throw new OperatorException($"There is no SaasMonitor data in {dataDirectory}: pass --data-dir or set {SaasMonitor.Hosting.HostDefaults.DataDirVariable}.");
        }

        try
        {
            return BusFactory.Create(Options);
        }
        catch (BusException e) when (e.InnerException is IOException)
        {
            throw new OperatorException($"The server using {dataDirectory} is running; stop it before {_activity}.");
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

    public async ValueTask DisposeAsync()
    {
        (_identity as IDisposable)?.Dispose();
        if (_bus is not null)
        {
            await _bus.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>An operator command cannot go on; its message is the whole story for the operator.</summary>
internal sealed class OperatorException(string message) : Exception(message);
