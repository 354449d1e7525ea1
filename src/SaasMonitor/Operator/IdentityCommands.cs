using System.CommandLine;
using System.Globalization;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Operator;

/// <summary>
/// <c>saasmon users add|list|reset-password</c>, <c>saasmon tokens create</c> and <c>saasmon audit</c>: accounts and the
/// audit log of the data folder, for the operator at the console (the first admin without the setup link, a lost
/// password, a token for CI). Every change is audited as done by the operator.
/// </summary>
internal static class IdentityCommands
{
    public static Command Users(Option<string> dataDirectory, Func<TextReader> input)
    {
        var roleOption = new Option<string>("--role") { Description = "admin, editor or viewer.", DefaultValueFactory = _ => "viewer" };
        roleOption.AcceptOnlyFromAmong("admin", "editor", "viewer");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input.", Required = true };

        var name = new Argument<string>("name") { Description = "The user's sign-in name." };
        var add = new Command("add", "Create a user (the password: 12 or more characters, not a common one).") { name, roleOption, passwordStdin };
        OperatorCommands.SetAction(add, dataDirectory, "adding a user", async (session, parse, ct) =>
        {
            var user = await session.Accounts.CreateUserAsync(parse.GetRequiredValue(name), Principals.ParseRole(parse.GetRequiredValue(roleOption))!.Value, ReadPassword(input), OperatorSession.Operator, ct).ConfigureAwait(false);
            await session.Output.WriteLineAsync($"Created {user.Role.Name()} '{user.Name}'.").ConfigureAwait(false);
        });

        var list = new Command("list", "Every user with role, status and last sign-in.");
        OperatorCommands.SetAction(list, dataDirectory, "listing users", async (session, _, ct) =>
        {
            var output = session.Output;
            await output.WriteLineAsync($"{"name",-24}{"role",-8}{"status",-10}last sign-in").ConfigureAwait(false);
            foreach (var u in await session.Identity.ListUsersAsync(ct).ConfigureAwait(false))
            {
                var status = u.Disabled ? "disabled" : u.LockedUntil > DateTimeOffset.UtcNow ? "locked" : "active";
                await output.WriteLineAsync($"{u.Name,-24}{u.Role.Name(),-8}{status,-10}{u.LastSignInAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"}").ConfigureAwait(false);
            }
        });

        var resetName = new Argument<string>("name") { Description = "The user whose password is replaced." };
        var reset = new Command("reset-password", "Set a user's password (and lift a lockout); signs the user out everywhere.") { resetName, passwordStdin };
        OperatorCommands.SetAction(reset, dataDirectory, "resetting a password", async (session, parse, ct) =>
        {
            await session.Accounts.SetPasswordAsync(parse.GetRequiredValue(resetName), ReadPassword(input), OperatorSession.Operator, ct).ConfigureAwait(false);
            await session.Output.WriteLineAsync($"Password of '{parse.GetRequiredValue(resetName)}' replaced; their sessions are ended.").ConfigureAwait(false);
        });

        return new Command("users", "People who sign in, and their roles.") { add, list, reset };
    }

    public static Command Tokens(Option<string> dataDirectory)
    {
        var user = new Option<string>("--user") { Description = "The token's owner.", Required = true };
        var role = new Option<string?>("--role") { Description = "The role the token acts with (default and at most: the owner's)." };
        role.AcceptOnlyFromAmong("admin", "editor", "viewer");
        var expires = new Option<TimeSpan?>("--expires")
        {
            Description = "Lifetime, e.g. 30d, 12h (default: no expiry).",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (TimeExpression.TryParseSpan(text, out var span) && span > TimeSpan.Zero)
                {
                    return span;
                }

                r.AddError($"'{text}' is not a lifetime: write a number and s, m, h or d, e.g. 30d.");
                return null;
            },
        };
        var name = new Option<string>("--name") { Description = "What the token is for.", DefaultValueFactory = _ => "cli" };
        var create = new Command("create", "Create a personal API token; its secret is printed once, on the last line (send it as Authorization: Bearer ...).") { user, role, expires, name };
        OperatorCommands.SetAction(create, dataDirectory, "creating a token", async (session, parse, ct) =>
        {
            var owner = await session.Accounts.GetUserAsync(parse.GetRequiredValue(user), ct).ConfigureAwait(false);
            var (token, secret) = await session.Accounts.IssueTokenAsync(owner, parse.GetRequiredValue(name), Principals.ParseRole(parse.GetValue(role)), parse.GetValue(expires), OperatorSession.Operator, ct).ConfigureAwait(false);
            await session.Output.WriteLineAsync($"Token '{token.Name}' for {owner.Name} acting as {token.Role.Name()}, expires {token.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"}:").ConfigureAwait(false);
            await session.Output.WriteLineAsync(secret).ConfigureAwait(false);
        });
        return new Command("tokens", "Personal API tokens for scripts and CI.") { create };
    }

    public static Command Audit(Option<string> dataDirectory)
    {
        var user = new Option<string?>("--user") { Description = "Only what this user (actor) did." };
        var action = new Option<string?>("--action") { Description = "Only this action, e.g. sign_in_failed, role_changed, token_issued." };
        var limit = new Option<int>("--limit") { Description = "At most this many entries, newest first.", DefaultValueFactory = _ => 50 };
        var audit = new Command("audit", "The audit log: sign-ins, account and key changes, deletions, replays and redrives, newest first.") { user, action, limit };
        OperatorCommands.SetAction(audit, dataDirectory, "reading the audit log", async (session, parse, ct) =>
        {
            var entries = await session.Identity.ListAuditAsync(new AuditQuery(parse.GetValue(user), parse.GetValue(action), Limit: Math.Clamp(parse.GetValue(limit), 1, 10_000)), ct).ConfigureAwait(false);
            foreach (var e in entries)
            {
                await session.Output.WriteLineAsync(
                    $"{e.At.ToString("u", CultureInfo.InvariantCulture)}  {(e.Success ? "ok  " : "FAIL")}  {e.Action,-20} {e.Actor ?? "-",-20} {e.Target ?? "-"}  from {e.Address ?? "-"}{(e.Detail is null ? "" : "  " + e.Detail)}").ConfigureAwait(false);
            }
        });
        return audit;
    }

    private static string ReadPassword(Func<TextReader> input) =>
        input().ReadLine() is { Length: > 0 } line ? line : throw new AccountException("No password on standard input: pipe it in, e.g. printf '%s\\n' \"$PASSWORD\" | saasmon users add ...");
}
