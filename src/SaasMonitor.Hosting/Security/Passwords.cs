using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Password hashing (ASP.NET Core Identity's PBKDF2-HMAC-SHA512 at <see cref="AuthOptions.PasswordIterations"/>) and
/// the password rules of NIST SP 800-63B: at least <see cref="MinimumLength"/> characters, not a commonly used
/// password, not one character repeated or a keyboard or alphabet run, not the user's name or the product's.
/// </summary>
public sealed class Passwords
{
    public const int MinimumLength = 12;

    private static readonly string[] Runs = ["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "qazwsxedc"];
    private static readonly string[] ContextWords = ["saasmon", "saasmonitor", "password", "passw0rd", "admin", "letmein", "welcome"];

    private readonly PasswordHasher<User> _hasher;
    private readonly Lazy<string> _decoy;

    public Passwords(IOptions<AuthOptions> options)
    {
        _hasher = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = options.Value.PasswordIterations,
        }));
        _decoy = new(() => Hash(Secrets.New()));
    }

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    /// <summary>Checks <paramref name="password"/> against <paramref name="hash"/>; a null hash (no such user) costs the same time and fails.</summary>
    public PasswordVerificationResult Verify(string? hash, string password)
    {
        var result = _hasher.VerifyHashedPassword(null!, hash ?? _decoy.Value, password);
        return hash is null ? PasswordVerificationResult.Failed : result;
    }

    /// <summary>The reason <paramref name="password"/> is refused for <paramref name="userName"/>, or null when it is acceptable.</summary>
    public static string? Weakness(string password, string userName)
    {
        if (password.Length < MinimumLength)
        {
            return $"The password must have at least {MinimumLength} characters.";
        }

        var lower = password.ToLowerInvariant();
        if (CommonPasswords.Contains(lower))
        {
            return "This password is on the list of commonly used passwords; choose another.";
        }

        if (lower.Distinct().Count() <= 2)
        {
            return "The password repeats one or two characters; choose another.";
        }

        if (IsRun(lower))
        {
            return "The password is a run of keys or letters; choose another.";
        }

        var stripped = StripDigitsAndSymbols(lower);
        if ((userName.Length >= 3 && lower.Contains(userName.ToLowerInvariant(), StringComparison.Ordinal))
            || ContextWords.Any(w => stripped == w || stripped == w + w))
        {
            return "The password must not be built from the user's name or the product's.";
        }

        return null;
    }

    private static bool IsRun(string lower)
    {
        // A password that is a slice of a run (forwards or backwards), possibly repeated, is a run.
        foreach (var run in Runs)
        {
            var doubled = run + run;
            var reversed = new string(doubled.Reverse().ToArray());
            var head = lower[..Math.Min(lower.Length, 6)];
            if ((doubled.Contains(head, StringComparison.Ordinal) || reversed.Contains(head, StringComparison.Ordinal))
                && IsRepeatOfRun(lower, doubled, reversed))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRepeatOfRun(string lower, string doubled, string reversed)
    {
        for (var i = 1; i < lower.Length; i++)
        {
            var pair = lower.AsSpan(i - 1, 2);
            if (!doubled.AsSpan().Contains(pair, StringComparison.Ordinal) && !reversed.AsSpan().Contains(pair, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string StripDigitsAndSymbols(string lower) => new([.. lower.Where(char.IsLetter)]);
}
