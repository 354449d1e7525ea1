using System.Security.Cryptography;
using System.Text;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Random secrets handed out once (session ids, API tokens, ingest keys, the setup token) and the hashes the stores
/// keep instead. The secrets carry 256 random bits, so a plain SHA-256 is a safe lookup hash for them.
/// </summary>
public static class Secrets
{
    /// <summary>Prefix of personal API tokens (saasmon token).</summary>
    public const string TokenPrefix = "smt_";

    /// <summary>Prefix of ingest keys (saasmon key).</summary>
    public const string IngestKeyPrefix = "smk_";

    /// <summary>How many characters of a token or key are kept visible to tell it apart in lists.</summary>
    internal const int VisibleLength = 10;

    /// <summary>A new secret: <paramref name="prefix"/> followed by 256 random bits, URL-safe.</summary>
    public static string New(string prefix = "") => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The hash a store keeps in place of <paramref name="secret"/>.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The visible part of a token or key, shown in lists.</summary>
    public static string Visible(string secret) => secret[..Math.Min(VisibleLength, secret.Length)];

    /// <summary>Equal, compared in time that does not depend on where they differ.</summary>
    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
