namespace SaasMonitor.Core.Events;

/// <summary>The normalised level names and the rules that map what producers write onto them.</summary>
public static class LogLevels
{
    public const string Debug = "DEBUG";
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";
    public const string Critical = "CRITICAL";

    public static readonly IReadOnlyList<string> All = [Debug, Info, Warning, Error, Critical];

    /// <summary>True for the levels that count as errors in KPIs (ERROR and CRITICAL).</summary>
    public static bool IsError(string level) => level is Error or Critical;

    /// <summary>
    /// Maps a producer's level word (any case) to a normalised level, or null when the word is not a level.
    /// </summary>
    public static string? Normalize(ReadOnlySpan<char> word)
    {
        word = word.Trim();
        if (word.IsEmpty || word.Length > 11)
        {
            return null;
        }

        Span<char> upper = stackalloc char[word.Length];
        word.ToUpperInvariant(upper);
        return upper switch
        {
            "TRACE" or "TRCE" or "DEBUG" or "DBUG" or "DBG" or "FINE" or "FINER" or "FINEST" or "VERBOSE" => Debug,
            "INFO" or "INFORMATION" or "INF" or "NOTICE" or "LOG" or "OK" => Info,
            "WARN" or "WARNING" or "WRN" => Warning,
            "ERROR" or "ERR" or "EROR" or "SEVERE" or "FAIL" or "FAILURE" => Error,
            "FATAL" or "CRIT" or "CRITICAL" or "ALERT" or "EMERG" or "EMERGENCY" or "PANIC" => Critical,
            _ => null,
        };
    }

    /// <summary>The level an HTTP status implies when a record names none: 5xx ERROR, 4xx WARNING, else INFO.</summary>
    public static string FromStatus(int? status) => status switch
    {
        >= 500 => Error,
        >= 400 => Warning,
        _ => Info,
    };
}
