using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web.Identity;

/// <summary>The one-time secret of the first-run setup link; it works once, and only while no user exists.</summary>
internal sealed class SetupToken
{
    private string? _token;

    /// <summary>The token of the link printed at start, until it is used.</summary>
    internal string? Current => Volatile.Read(ref _token);

    public string Issue()
    {
        var token = Secrets.New();
        Volatile.Write(ref _token, token);
        return token;
    }

    /// <summary>Consumes the token when <paramref name="candidate"/> is it; a second use fails.</summary>
    public bool TryUse(string? candidate)
    {
        var current = Volatile.Read(ref _token);
        return current is not null && candidate is not null && Secrets.FixedTimeEquals(current, candidate)
            && Interlocked.CompareExchange(ref _token, null, current) == current;
    }

    /// <summary>Gives the token back after a use that created nothing (a refused password), so the link keeps working.</summary>
    public void Restore(string? token)
    {
        if (token is not null)
        {
            Interlocked.CompareExchange(ref _token, token, null);
        }
    }
}

/// <summary>
/// At start, when no user exists: creates the configured bootstrap admin, or prints the one-time setup link where the
/// first admin is created.
/// </summary>
internal sealed partial class FirstRun(
    IIdentityStore store,
    Accounts accounts,
    SetupToken setup,
    IOptions<AuthOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<FirstRun> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await store.CountUsersAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return;
        }

        if (options.Value.BootstrapAdmin is { Name: { Length: > 0 } name, Password: { } password })
        {
            try
            {
                await accounts.CreateUserAsync(name, Role.Admin, password, new Actor("bootstrap", null), cancellationToken).ConfigureAwait(false);
                LogBootstrapped(logger, name);
            }
            catch (AccountException e) when (e.Status == StatusCodes.Status409Conflict)
            {
                // Another dashboard replica starting at the same time created it first.
            }

            return;
        }

        var token = setup.Issue();
        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
            address = address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal).TrimEnd('/');
            LogSetupLink(logger, $"{address}/setup?token={token}");
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Created the first admin {Name} from SaasMonitor:Auth:BootstrapAdmin")]
    private static partial void LogBootstrapped(ILogger logger, string name);

    [LoggerMessage(LogLevel.Warning, "No user exists yet. Create the first admin at {SetupUrl} (the link works once)")]
    private static partial void LogSetupLink(ILogger logger, string setupUrl);
}
