using System.ComponentModel.DataAnnotations;

namespace SaasMonitor.Hosting.Security;

/// <summary>Who may send logs without a key (SaasMonitor:Auth:AnonymousIngest).</summary>
public enum AnonymousIngest
{
    /// <summary>Callers on this machine may ingest without a key, so local scripts and curl examples work; everyone else needs one.</summary>
    Loopback,

    /// <summary>Every ingest needs an ingest key, an API token or a signed-in editor.</summary>
    Never,

    /// <summary>Anyone who can reach the port may ingest (for a private network behind its own gate).</summary>
    Always,
}

/// <summary>Configuration section "SaasMonitor:Auth": sign-in, sessions, brute-force limits, keys and OpenID Connect.</summary>
public sealed class AuthOptions
{
    public const string Section = "SaasMonitor:Auth";

    public AnonymousIngest AnonymousIngest { get; set; } = AnonymousIngest.Loopback;

    /// <summary>A signed-in browser idle this long is signed out.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ErrorMessage = "SaasMonitor:Auth:IdleTimeout must be between one minute and a year.")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after sign-in, however active.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ErrorMessage = "SaasMonitor:Auth:AbsoluteTimeout must be between one minute and a year.")]
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>PBKDF2-HMAC-SHA512 iterations of new password hashes; lower stored counts are rehashed at the next sign-in.</summary>
    [Range(210_000, 10_000_000, ErrorMessage = "SaasMonitor:Auth:PasswordIterations must be at least 210000 (OWASP's figure for PBKDF2-HMAC-SHA512).")]
    public int PasswordIterations { get; set; } = 210_000;

    /// <summary>Sign-in attempts one address may make per minute.</summary>
    [Range(1, 10_000)]
    public int SignInsPerMinutePerAddress { get; set; } = 20;

    /// <summary>Sign-in attempts for one account per minute, from anywhere.</summary>
    [Range(1, 10_000)]
    public int SignInsPerMinutePerAccount { get; set; } = 10;

    /// <summary>Consecutive failed sign-ins that lock an account for <see cref="LockoutDuration"/>.</summary>
    [Range(1, 1000)]
    public int LockoutFailures { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Days the audit log keeps its entries.</summary>
    [Range(1, 36500)]
    public int AuditRetentionDays { get; set; } = 365;

    /// <summary>A token Prometheus sends (Authorization: Bearer) to scrape /metrics from another machine; loopback needs none.</summary>
    public string? MetricsToken { get; set; }

    /// <summary>Creates this admin at start when no user exists (for automated deployments); the password must pass the password rules.</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    public OidcOptions Oidc { get; set; } = new();
}

public sealed class BootstrapAdminOptions
{
    public string? Name { get; set; }

    public string? Password { get; set; }
}

/// <summary>Optional sign-in through an OpenID Connect provider; users are created on first sign-in with the role their claims map to.</summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL; sign-in through it is offered when set.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>What the sign-in button says.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>The claim whose values name the user's groups or roles.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Claim values that make a user an admin, an editor, a viewer.</summary>
    public IList<string> AdminValues { get; set; } = [];

    public IList<string> EditorValues { get; set; } = [];

    public IList<string> ViewerValues { get; set; } = [];

    /// <summary>The role of a user whose claims match none of the values; null refuses them.</summary>
    public Core.Identity.Role? DefaultRole { get; set; }

    /// <summary>Allows an http:// authority (only for tests and private networks).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
