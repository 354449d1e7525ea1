using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web.Identity;

/// <summary>
/// An open dashboard page keeps its connection for hours: every 30 s it checks that its session still exists, so a
/// sign-out elsewhere, a role or password change, or disabling the user closes the page's access too.
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory logs, Sessions sessions) : RevalidatingServerAuthenticationStateProvider(logs)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        sessions.IsLiveAsync(authenticationState.User, cancellationToken);
}
