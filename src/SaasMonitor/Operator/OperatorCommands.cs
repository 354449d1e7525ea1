using System.CommandLine;
using SaasMonitor.Core.Bus;
using SaasMonitor.Hosting.Security;

using SaasMonitor.Hosting.DeadLetters;

namespace SaasMonitor.Operator;

/// <summary>
/// saasmon's operator verbs: <c>saasmon replay ...</c>, <c>saasmon dlq list|show|redrive ...</c>, <c>saasmon users ...</c>,
/// <c>saasmon tokens create ...</c> and <c>saasmon audit</c>.
/// They read the server's configuration and work on its bus through the bus port only, so they serve both shapes.
/// </summary>
public static class OperatorCommands
{
    private static readonly string[] Verbs = ["replay", "dlq", "users", "tokens", "audit"];

    /// <summary>
    /// True when <paramref name="args"/> start with an operator verb, after any <c>--data-dir DIR</c> and
    /// <c>--Section:Key=value</c> settings (as <c>saasmon --data-dir /srv tokens create</c>); otherwise saasmon runs the server.
    /// </summary>
    public static bool Handles(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verb = VerbAt(args);
        return verb < args.Count && Verbs.Contains(args[verb], StringComparer.Ordinal);
    }

    /// <summary>Runs the operator command in <paramref name="args"/> and returns its exit code (0 when it did its work).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default) =>
        RunAsync(args, output, error, Console.In, ct);

    /// <summary>Settings given before the verb are read as if given after it, where the verb's parser takes them.</summary>
    internal static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader input, CancellationToken ct = default)
    {
        var verb = VerbAt(args);
        return Build(TimeProvider.System, () => input).Parse([.. args[verb..], .. args[..verb]]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
    }

    /// <summary>Where the verb stands: after any <c>--data-dir DIR</c> and <c>--Section:Key=value</c> settings.</summary>
    private static int VerbAt(IReadOnlyList<string> args)
    {
        var i = 0;
        while (i < args.Count && (args[i] == "--data-dir" || (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal))))
        {
            i += args[i] == "--data-dir" ? 2 : 1;
        }

        return Math.Min(i, args.Count);
    }

    internal static RootCommand Build(TimeProvider time, Func<TextReader>? input = null)
    {
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "The server's data folder (also SAASMON_DATA_DIR, SaasMonitor:DataDirectory); default ./data.",
            Recursive = true,
        };
        return new RootCommand("SaasMonitor operator commands. Settings of the server's configuration are accepted as --Section:Key=value.")
        {
            dataDirectory,
            ReplayCommand.Create(dataDirectory, time),
            DeadLetterCommands.Create(dataDirectory),
            IdentityCommands.Users(dataDirectory, input ?? (() => Console.In)),
            IdentityCommands.Tokens(dataDirectory),
            IdentityCommands.Audit(dataDirectory),
        };
    }

    /// <summary>
    /// Sets <paramref name="command"/>'s action: collects the configuration settings among its arguments, opens a
    /// session, runs <paramref name="run"/>, and reports a refusal as one sentence with exit code 1.
    /// </summary>
    internal static void SetAction(Command command, Option<string> dataDirectory, string activity, Func<OperatorSession, ParseResult, CancellationToken, Task> run)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var unknown = parse.UnmatchedTokens.Where(t => !IsSetting(t)).ToList();
            if (unknown.Count > 0)
            {
                await error.WriteLineAsync($"Unrecognized argument(s): {string.Join(' ', unknown)}. Configuration settings take the form --Section:Key=value; see --help.").ConfigureAwait(false);
                return 2;
            }

            List<string> settings = [.. parse.UnmatchedTokens];
            if (parse.GetValue(dataDirectory) is { } dir)
            {
                settings.Add($"--data-dir={dir}");
            }

            try
            {
                var session = OperatorSession.Open(settings, activity, parse.InvocationConfiguration.Output);
                await using (session.ConfigureAwait(false))
                {
                    await run(session, parse, ct).ConfigureAwait(false);
                }

                return 0;
            }
            catch (Exception e) when (e is OperatorException or BusException or AccountException or DeadLetterNotFoundException)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
        });
    }

    private static bool IsSetting(string token)
    {
        var eq = token.IndexOf('=', StringComparison.Ordinal);
        return token.StartsWith("--", StringComparison.Ordinal) && eq > 0 && token.AsSpan(0, eq).Contains(':');
    }
}
