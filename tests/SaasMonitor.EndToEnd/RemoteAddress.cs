using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Test servers only: a request with <see cref="Header"/> is seen as coming from that address instead of loopback,
/// so rules about remote callers can be checked on a loopback test server. It runs before every middleware.
/// </summary>
internal sealed class RemoteAddress : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    /// <summary>An address of the documentation range, never loopback.</summary>
    public const string Elsewhere = "203.0.113.7";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers[Header].ToString() is { Length: > 0 } address)
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
