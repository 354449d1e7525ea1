namespace SaasMonitor.Hosting.Security;

/// <summary>
/// Passwords people pick most often: the words at the top of published breach frequency lists, alone or doubled, with
/// the digits and symbols people add to reach a length rule (password2024!, 123qwerty), compared after undoing common
/// letter-for-digit swaps (p4ssw0rd); and long sequences seen in those lists. Such a password is refused
/// (NIST SP 800-63B §5.1.1.2).
/// </summary>
internal static class CommonPasswords
{
    private static readonly string[] Words =
    [
        "password", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "iloveyou", "letmein", "welcome", "monkey",
        "dragon", "football", "baseball", "basketball", "soccer", "hockey", "master", "shadow", "sunshine", "princess",
        "superman", "batman", "spiderman", "trustno", "starwars", "whatever", "freedom", "hello", "helloworld", "charlie",
        "michael", "jennifer", "jessica", "ashley", "thomas", "jordan", "daniel", "andrew", "robert", "matthew",
        "summer", "winter", "spring", "autumn", "changeme", "secret", "login", "admin", "administrator", "root",
        "default", "computer", "internet", "pokemon", "minecraft", "liverpool", "chelsea", "arsenal", "manchester", "samsung",
        "google", "facebook", "linkedin", "matrix", "killer", "hunter", "ranger", "buster", "tigger", "pepper",
        "ginger", "cookie", "chocolate", "butterfly", "flower", "purple", "orange", "yellow", "silver", "golden",
        "diamond", "angel", "loveme", "lovely", "family", "forever", "blessed", "jesus", "heaven", "mustang",
        "corvette", "ferrari", "harley", "yankees", "cowboys", "eagles", "steelers", "passport", "access", "master key",
        "abc", "abcd", "abcdef", "azerty", "qazwsx", "zaq1", "1q2w3e", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx",
        "monday", "friday", "january", "december", "love", "baby", "babygirl", "sweetheart", "mother", "father",
    ];

    private static readonly string[] Others =
    [
        "123456789012", "1234567890123", "12345678901234", "123123123123", "123321123321", "111111111111", "000000000000",
        "121212121212", "987654321098", "147258369147", "qwertyqwerty", "passwordpassword", "iloveyouiloveyou",
        "qwerty123456", "123456qwerty", "abc123abc123", "a1b2c3d4e5f6", "q1w2e3r4t5y6", "1q2w3e4r5t6y", "zaq12wsxcde3",
        "1qaz2wsx3edc", "1qazxsw23edc", "qazwsxedcrfv", "!qaz2wsx#edc", "correcthorsebatterystaple", "thequickbrownfox",
    ];

    private static readonly char[] Decoration = "0123456789!@#$%^&*()-_=+.,;:?~ ".ToCharArray();
    private static readonly HashSet<string> Known = [.. Others];
    private static readonly HashSet<string> Bases = [.. Words.Select(w => w.Replace(" ", string.Empty, StringComparison.Ordinal))];

    /// <summary>
    /// True when <paramref name="lower"/> (a lower-cased password) is one of the common ones, or a common word (once or
    /// twice, letters swapped for look-alike digits) with only digits and symbols around it.
    /// </summary>
    public static bool Contains(string lower)
    {
        if (Known.Contains(lower))
        {
            return true;
        }

        var core = Unleet(lower.Trim(Decoration));
        return Bases.Contains(core) || (core.Length % 2 == 0 && Bases.Contains(core[..(core.Length / 2)]) && core[..(core.Length / 2)] == core[(core.Length / 2)..]);
    }

    private static string Unleet(string lower) => string.Create(lower.Length, lower, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                '0' => 'o',
                '3' => 'e',
                '4' or '@' => 'a',
                '5' or '$' => 's',
                '7' => 't',
                _ => source[i],
            };
        }
    });
}
