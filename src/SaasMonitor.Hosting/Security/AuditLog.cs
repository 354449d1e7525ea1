using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>Writes security decisions to the append-only audit log (and to the process log): who, when, from where, what, how it ended.</summary>
public sealed partial class AuditLog(IIdentityStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    /// <summary>Records <paramref name="action"/> on <paramref name="target"/> by the caller of <paramref name="http"/>.</summary>
    public Task RecordAsync(HttpContext http, string action, string? target, bool success = true, string? detail = null, string? actor = null) =>
        RecordAsync(actor ?? Actor(http.User), http.Connection.RemoteIpAddress?.ToString(), action, target, success, detail, http.RequestAborted);

    /// <summary>Records an action taken outside a request (an operator command, start-up).</summary>
    public async Task RecordAsync(string? actor, string? address, string action, string? target, bool success, string? detail, CancellationToken ct)
    {
        var entry = await store.AppendAuditAsync(new AuditEntry(0, time.GetUtcNow(), actor, action, target, address, success, detail), CancellationToken.None).ConfigureAwait(false);
        LogAudit(logger, entry.Action, entry.Actor, entry.Target, entry.Address, entry.Success, entry.Detail);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>How a principal is named in the audit log.</summary>
    public static string? Actor(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;

    [LoggerMessage(LogLevel.Information, "Audit: {Action} of {Target} by {Actor} from {Address}, success {Success} {Detail}")]
    private static partial void LogAudit(ILogger logger, string action, string? actor, string? target, string? address, bool success, string? detail);
}
