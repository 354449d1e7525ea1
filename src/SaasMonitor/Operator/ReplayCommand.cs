using System.CommandLine;
using System.Globalization;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.Operator;

/// <summary>
/// <c>saasmon replay</c>: moves a consumer group's committed offsets back (by time or offset), so the group
/// re-processes from there when the server starts again.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>The aggregator's group (AggregatorService.GroupName): it resumes from offsets stored with its KPI windows.</summary>
    private const string AggregatorGroup = "aggregator";

    private const string Description = """
        Moves a consumer group's committed offsets on a topic to a time or an offset; the server's workers of that
        group re-process from there when it starts. Stop the server first (the group must have no live members).
        Replays are idempotent downstream: event ids are derived from the raw record's position, so the index
        overwrites instead of duplicating, and the aggregator skips events it has already counted.
        The aggregator group cannot be replayed: it resumes from the offsets stored with its KPI windows, which
        are exact already. Examples:
          saasmon replay --group parser --topic logs.raw --to-time now-1h --dry-run
          saasmon replay --group indexer --topic logs.events --to-offset 0
        """;

    public static Command Create(Option<string> dataDirectory, TimeProvider time)
    {
        var group = new Option<string>("--group") { Description = "The consumer group: parser (on logs.raw) or indexer (on logs.events).", Required = true };
        var topic = new Option<string>("--topic") { Description = "The topic whose offsets move, e.g. logs.raw or logs.events.", Required = true };
        var toTime = new Option<DateTimeOffset?>("--to-time")
        {
            Description = $"Re-process messages appended at or after this time: {TimeExpression.Help}.",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (TimeExpression.TryParse(text, time.GetUtcNow(), out var t))
                {
                    return t;
                }

                r.AddError($"'{text}' is not a time: use {TimeExpression.Help}.");
                return null;
            },
        };
        var toOffset = new Option<long?>("--to-offset") { Description = "Re-process from this offset (clamped into each partition's held range)." };
        toOffset.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() < 0)
            {
                r.AddError("--to-offset must be 0 or more.");
            }
        });
        var partition = new Option<int?>("--partition") { Description = "Move only this partition (default: all)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the table, move nothing." };
        var command = new Command("replay", Description) { group, topic, toTime, toOffset, partition, dryRun };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(toTime) is null) == (r.GetResult(toOffset) is null))
            {
                r.AddError("Give exactly one of --to-time or --to-offset.");
            }
        });
        OperatorCommands.SetAction(command, dataDirectory, "replaying", (session, parse, ct) => RunAsync(
            session,
            new ReplayRequest(parse.GetRequiredValue(group), parse.GetRequiredValue(topic), parse.GetValue(toTime), parse.GetValue(toOffset), parse.GetValue(partition), parse.GetValue(dryRun)),
            ct));
        return command;
    }

    internal static async Task RunAsync(OperatorSession session, ReplayRequest request, CancellationToken ct)
    {
        var moves = await PlanAsync(session.Bus, request, ct).ConfigureAwait(false);
        var output = session.Output;
        var target = request.ToTime is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : $"offset {request.ToOffset}";
        await output.WriteLineAsync($"Replay of group '{request.Group}' on {request.Topic} to {target}:").ConfigureAwait(false);
        await output.WriteLineAsync(Row("partition", "committed", "new offset", "to re-process")).ConfigureAwait(false);
        foreach (var m in moves)
        {
            await output.WriteLineAsync(Row(Number(m.Partition), m.Committed is { } c ? Number(c) : "-", Number(m.NewOffset), Number(m.ToReprocess))).ConfigureAwait(false);
        }

        await output.WriteLineAsync(Row("total", "", "", Number(moves.Sum(m => m.ToReprocess)))).ConfigureAwait(false);
        if (moves.Any(m => m.ToReprocess < 0))
        {
            await output.WriteLineAsync("A negative count moves the group forward: those messages are skipped, not re-processed.").ConfigureAwait(false);
        }

        if (request.DryRun)
        {
            await output.WriteLineAsync("Dry run: no offsets moved.").ConfigureAwait(false);
            return;
        }

        await session.Bus.SetCommittedOffsetsAsync(
            request.Group,
            [.. moves.Select(m => new TopicPartitionOffset(request.Topic, m.Partition, m.NewOffset))],
            ct).ConfigureAwait(false);
        await session.AuditAsync(AuditActions.Replay, $"{request.Group} on {request.Topic}", $"to {target}, {moves.Sum(m => m.ToReprocess)} messages to re-process", ct).ConfigureAwait(false);
        await output.WriteLineAsync($"Moved. Start the server: group '{request.Group}' re-processes from the new offsets; nothing is indexed or counted twice.").ConfigureAwait(false);
    }

    /// <summary>Per partition: the committed offset now, the new one, and how many messages the group re-reads.</summary>
    internal static async Task<IReadOnlyList<ReplayMove>> PlanAsync(IMessageBus bus, ReplayRequest request, CancellationToken ct)
    {
        if (request.Group == AggregatorGroup)
        {
            throw new OperatorException(
                "The aggregator resumes from the offsets stored with its KPI windows, not from the bus, and its windows count every event once already: "
                + "replay the parser or the indexer instead (the aggregator skips the events they re-publish).");
        }

        var watermarks = await bus.GetWatermarksAsync(request.Topic, ct).ConfigureAwait(false);
        if (request.Partition is { } only && !watermarks.Any(w => w.Partition == only))
        {
            throw new OperatorException($"{request.Topic} has partitions 0 to {watermarks.Count - 1}; there is no partition {only}.");
        }

        var committed = (await bus.GetCommittedOffsetsAsync(request.Group, request.Topic, ct).ConfigureAwait(false)).ToDictionary(c => c.Partition, c => c.Offset);
        if (committed.Count == 0)
        {
            throw new OperatorException(
                $"Consumer group '{request.Group}' has never committed offsets on {request.Topic}: check the names (the pipeline's groups are parser on the raw topic and indexer on the events topic).");
        }

        var byTime = request.ToTime is { } time
            ? (await bus.GetOffsetsForTimeAsync(request.Topic, time, ct).ConfigureAwait(false)).ToDictionary(o => o.Partition, o => o.Offset)
            : null;
        return [.. watermarks
            .Where(w => request.Partition is null || w.Partition == request.Partition)
            .OrderBy(w => w.Partition)
            .Select(w =>
            {
                var target = Math.Clamp(byTime?[w.Partition] ?? request.ToOffset ?? 0, w.Low, w.High);
                long? now = committed.TryGetValue(w.Partition, out var c) ? c : null;
                return new ReplayMove(w.Partition, now, target, (now ?? w.Low) - target);
            })];
    }

    private static string Row(string partition, string committed, string next, string count) =>
        $"{partition,-10}{committed,14}{next,14}{count,16}";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

internal sealed record ReplayRequest(string Group, string Topic, DateTimeOffset? ToTime, long? ToOffset, int? Partition, bool DryRun);

/// <summary>One partition of a replay: <see cref="ToReprocess"/> is negative when the group moves forward.</summary>
internal readonly record struct ReplayMove(int Partition, long? Committed, long NewOffset, long ToReprocess);
