using System.Text;
using System.Text.RegularExpressions;

namespace Parser.Worker.Parsing;

/// <summary>
/// Named line patterns in the manner of grok: a pattern is a .NET regular expression that may refer to other named
/// patterns as <c>%{NAME}</c>, or capture one as an event field with <c>%{NAME:field}</c> (a <c>:int</c> or
/// <c>:float</c> after the field is accepted and ignored: the field decides the type). Named groups <c>(?&lt;field&gt;…)</c>
/// capture as well. Field names are those of CSV columns and JSON keys (timestamp, level, service, host, endpoint,
/// method, status_code, response_time_ms, client_ip, user_id, trace_id, message, …); any other name becomes an extra
/// field. Patterns match from the start of a line, with the non-backtracking engine: no lookarounds, backreferences or
/// atomic groups. The built-in library covers common software; configuration adds patterns and may redefine built-in ones.
/// </summary>
internal static partial class PatternLibrary
{
    /// <summary>The building blocks and the patterns of common software, by name.</summary>
    public static IReadOnlyDictionary<string, string> BuiltIn { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Building blocks.
        ["INT"] = @"[+-]?\d+",
        ["POSINT"] = @"[1-9]\d*",
        ["NUMBER"] = @"[+-]?(?:\d+(?:\.\d*)?|\.\d+)",
        ["WORD"] = @"\w+",
        ["NOTSPACE"] = @"\S+",
        ["SPACE"] = @"\s*",
        ["DATA"] = @".*?",
        ["GREEDYDATA"] = @".*",
        ["QUOTEDSTRING"] = @"""(?:[^""\\]|\\.)*""",
        ["UUID"] = @"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}",
        ["IPV4"] = @"(?:\d{1,3}\.){3}\d{1,3}",
        ["IPV6"] = @"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?",
        ["IP"] = "%{IPV6}|%{IPV4}",
        ["HOSTNAME"] = @"[0-9A-Za-z][0-9A-Za-z._-]*",
        ["IPORHOST"] = "%{IP}|%{HOSTNAME}",
        ["USER"] = @"[A-Za-z0-9._@-]+",
        ["PROG"] = @"[\w./-]+",
        ["JAVACLASS"] = @"(?:[A-Za-z$_][A-Za-z$_0-9]*\.)*[A-Za-z$_][A-Za-z$_0-9]*",
        ["URIPATH"] = @"/[^\s?#]*",
        ["URIPARAM"] = @"\?\S*",
        ["URIPATHPARAM"] = "%{URIPATH}(?:%{URIPARAM})?",
        ["LOGLEVEL"] = @"(?i:trace|debug|dbg|info|inf|notice|warn(?:ing)?|wrn|error|err|crit(?:ical)?|fatal|severe|alert|emerg(?:ency)?|panic)",
        ["TIMESTAMP_ISO8601"] = @"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
        ["HTTPDATE"] = @"\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}",
        ["SYSLOGTIMESTAMP"] = @"[A-Za-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2}",
        ["SLASHDATETIME"] = @"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}",

        // Web servers.
        ["COMMONAPACHELOG"] = @"%{IPORHOST:client_ip} %{USER:ident} %{USER:user_id} \[%{HTTPDATE:timestamp}\] ""%{WORD:method} %{NOTSPACE:endpoint}(?: HTTP/%{NUMBER:http_version})?"" %{INT:status_code} (?:%{INT:bytes}|-)",
        ["COMBINEDAPACHELOG"] = @"%{COMMONAPACHELOG} %{QUOTEDSTRING:referrer} %{QUOTEDSTRING:user_agent}",
        ["NGINX_ERROR"] = @"%{SLASHDATETIME:timestamp} \[%{LOGLEVEL:level}\] %{INT:pid}#%{INT:tid}: (?:\*%{INT:connection} )?%{GREEDYDATA:message}",

        // Databases.
        ["POSTGRESQL"] = @"%{TIMESTAMP_ISO8601:timestamp}(?: [A-Z]{2,5})? \[%{INT:pid}\](?: %{USER:user_id}@%{WORD:database})? %{WORD:level}: +%{GREEDYDATA:message}",
        ["MYSQL_ERROR"] = @"%{TIMESTAMP_ISO8601:timestamp} %{INT:thread} \[%{WORD:level}\](?: \[%{NOTSPACE:error_code}\])?(?: \[%{WORD:subsystem}\])? %{GREEDYDATA:message}",
        ["REDIS"] = @"%{INT:pid}:%{WORD:role} (?<timestamp>\d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2}\.\d+) (?<redis_level>[.*#-]) %{GREEDYDATA:message}",

        // JVM and .NET applications.
        ["LOG4J"] = @"%{TIMESTAMP_ISO8601:timestamp} \[%{DATA:thread}\] +%{LOGLEVEL:level} +%{JAVACLASS:logger} +- %{GREEDYDATA:message}",
        ["SPRING_BOOT"] = @"%{TIMESTAMP_ISO8601:timestamp} +%{LOGLEVEL:level} %{INT:pid} --- (?:\[%{DATA:service}\] )?\[ *%{DATA:thread}\] %{NOTSPACE:logger} +: %{GREEDYDATA:message}",
        ["SERILOG_FILE"] = @"%{TIMESTAMP_ISO8601:timestamp} \[%{WORD:level}\] %{GREEDYDATA:message}",
        ["DOTNET_CONSOLE"] = @"%{WORD:level}: %{NOTSPACE:logger}\[%{INT:event_id}\]\s*%{GREEDYDATA:message}",

        // Python logging.
        ["PYTHON_LOGGING"] = @"%{LOGLEVEL:level}:%{NOTSPACE:logger}:%{GREEDYDATA:message}",
        ["PYTHON_ASCTIME"] = @"%{TIMESTAMP_ISO8601:timestamp} - %{NOTSPACE:logger} - %{LOGLEVEL:level} - %{GREEDYDATA:message}",

        // Container runtimes and system daemons.
        ["CRI_LOG"] = @"%{TIMESTAMP_ISO8601:timestamp} (?<stream>stdout|stderr) [FP] %{GREEDYDATA:message}",
        ["DOCKER_DAEMON"] = @"time=""%{TIMESTAMP_ISO8601:timestamp}"" level=%{LOGLEVEL:level} msg=""(?<message>(?:[^""\\]|\\.)*)""",
        ["SYSLOGLINE"] = @"%{SYSLOGTIMESTAMP:timestamp} %{IPORHOST:host} %{PROG:service}(?:\[%{POSINT:pid}\])?: %{GREEDYDATA:message}",
    };

    /// <summary>
    /// The regular expression of the named pattern, references expanded, matched from the start of a line; or null
    /// with <paramref name="problem"/> saying in a sentence why it cannot be used.
    /// </summary>
    public static Regex? Compile(string name, IReadOnlyDictionary<string, string> configured, out string? problem)
    {
        var expanded = new StringBuilder();
        problem = Expand(name, configured, expanded, []);
        if (problem is not null)
        {
            return null;
        }

        try
        {
            // Lines are untrusted: the non-backtracking engine matches in time linear in the line, whatever the pattern,
            // so no line can stall the parser and no result depends on a timeout.
            return new Regex($"^(?:{expanded})", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException ex)
        {
            problem = $"it is not a regular expression once expanded ({ex.Message})";
            return null;
        }
    }

    private static string? Expand(string name, IReadOnlyDictionary<string, string> configured, StringBuilder into, List<string> within)
    {
        if (within.Contains(name))
        {
            return $"it refers to itself through {string.Join(" → ", within.Append(name))}";
        }

        if (!configured.TryGetValue(name, out var pattern) && !BuiltIn.TryGetValue(name, out pattern))
        {
            return within.Count == 0 ? $"there is no pattern named '{name}'" : $"%{{{name}}} names no built-in or configured pattern";
        }

        within.Add(name);
        var at = 0;
        foreach (Match reference in Reference().Matches(pattern))
        {
            if (Literal(pattern, at, reference.Index, into) is { } bad)
            {
                return bad;
            }

            at = reference.Index + reference.Length;
            var field = reference.Groups["field"];
            into.Append(field.Success ? $"(?<{field.Value}>" : "(?:");
            if (Expand(reference.Groups["name"].Value, configured, into, within) is { } problem)
            {
                return problem;
            }

            into.Append(')');
        }

        within.RemoveAt(within.Count - 1);
        return Literal(pattern, at, pattern.Length, into);
    }

    /// <summary>Appends the text between references, which holds no other "%{".</summary>
    private static string? Literal(string pattern, int start, int end, StringBuilder into)
    {
        var bad = pattern.IndexOf("%{", start, end - start, StringComparison.Ordinal);
        if (bad >= 0)
        {
            return $"'{pattern[bad..Math.Min(end, bad + 40)]}' is not a reference: write %{{NAME}} or %{{NAME:field}}, the field in letters, digits and _";
        }

        into.Append(pattern, start, end - start);
        return null;
    }

    [GeneratedRegex(@"%\{(?<name>\w+)(?::(?<field>[A-Za-z_]\w*)(?::(?:int|float|long|double|string))?)?\}", RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}
