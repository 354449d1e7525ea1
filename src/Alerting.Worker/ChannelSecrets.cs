using Microsoft.AspNetCore.DataProtection;

namespace Alerting.Worker;

/// <summary>
/// Encrypts channel secrets (webhook signing secrets, SMTP passwords) with ASP.NET Core Data Protection, whose keys
/// live in the data folder and are shared by the processes using it; the store only ever holds the ciphertext.
/// </summary>
public sealed class ChannelSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("SaasMonitor.Alerting.ChannelSecret.v1");

    public string? Protect(string? secret) => string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret);

    public string? Unprotect(string? protectedSecret) => protectedSecret is null ? null : _protector.Unprotect(protectedSecret);
}
