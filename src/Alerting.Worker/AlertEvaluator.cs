using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Search;

namespace Alerting.Worker;

/// <summary>
/// Evaluates rules: observes each, steps every instance's state machine, and queues one notification per rule,
/// kind and channel for the instances that changed together (silenced ones recorded, not sent). A cycle's states,
/// history and outbox entries are stored in one transaction.
/// </summary>
internal sealed partial class AlertEvaluator(
    IAlertStore store,
    IRuleSignals signals,
    ISearchStore search,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<AlertEvaluator> logger)
{
    /// <summary>Evaluates every enabled rule once; returns how many notifications were queued to be sent.</summary>
    public async Task<int> EvaluateAllAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rules = await store.ListRulesAsync(ct).ConfigureAwait(false);
        var instances = (await store.ListInstancesAsync(null, ct).ConfigureAwait(false)).ToLookup(i => i.RuleId);
        var silences = await store.ListSilencesAsync(ct).ConfigureAwait(false);
        var evaluations = new List<AlertEvaluation>();
        foreach (var rule in rules.Where(r => r.Enabled))
        {
            evaluations.Add(await EvaluateAsync(rule, [.. instances[rule.Id]], silences, now, ct).ConfigureAwait(false));
        }

        await store.ApplyAsync(evaluations, ct).ConfigureAwait(false);
        return evaluations.Sum(e => e.Notifications.Count(n => n.Status == DeliveryStatus.Pending));
    }

    public async Task<AlertEvaluation> EvaluateAsync(AlertRule rule, IReadOnlyList<AlertInstance> current, IReadOnlyList<Silence> silences, DateTimeOffset now, CancellationToken ct)
    {
        var known = current.ToDictionary(i => i.GroupKey);
        IReadOnlyDictionary<string, Observation> observed;
        try
        {
            observed = await signals.ObserveAsync(rule, known.Keys, now, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEvaluationFailed(logger, rule.Name, e.Message);
            observed = (known.Count == 0 ? [""] : known.Keys.ToList()).ToDictionary(k => k, _ => new Observation(ObservationKind.Error, Error: e.Message));
        }

        var instances = new List<AlertInstance>();
        var removed = new List<string>();
        var transitions = new List<AlertTransition>();
        var changes = new List<(NotificationKind Kind, AlertInstance Instance, bool Silenced)>();
        foreach (var (key, observation) in observed)
        {
            var before = known.GetValueOrDefault(key) ?? new AlertInstance { RuleId = rule.Id, GroupKey = key, StateSince = now };
            var (next, notify) = AlertStateMachine.Step(rule, before, observation, now);
            var silenced = notify is not null && IsSilenced(rule, key, silences, now);
            if (next.State != before.State)
            {
                transitions.Add(new AlertTransition
                {
                    RuleId = rule.Id, GroupKey = key, From = before.State, To = next.State, At = now, Value = next.Value, Notification = notify, Silenced = silenced,
                });
            }

            if (notify is { } kind)
            {
                changes.Add((kind, next, silenced));
            }

            // A group that went quiet and is normal again has nothing to remember.
            if (key.Length > 0 && next.State == AlertState.Normal && notify is null && rule.Kind != AlertRuleKind.Absence && (next.Value ?? 0) == 0)
            {
                if (known.ContainsKey(key))
                {
                    removed.Add(key);
                }

                continue;
            }

            instances.Add(next);
        }

        var notifications = new List<AlertNotification>();
        foreach (var group in changes.GroupBy(c => (c.Kind, c.Silenced)))
        {
            var message = await MessageAsync(rule, group.Key.Kind, [.. group.Select(c => c.Instance)], now, ct).ConfigureAwait(false);
            notifications.AddRange(rule.Channels.Select(channel => new AlertNotification
            {
                RuleId = rule.Id,
                ChannelId = channel,
                Kind = group.Key.Kind,
                Payload = message.ToJson(),
                CreatedAt = now,
                NextAttemptAt = now,
                Status = group.Key.Silenced ? DeliveryStatus.Silenced : DeliveryStatus.Pending,
            }));
        }

        return new AlertEvaluation(rule.Id, instances, removed, transitions, notifications);
    }

    /// <summary>The labels silences match an instance by: the rule's name and its group-by field.</summary>
    public static Dictionary<string, string> Labels(AlertRule rule, string groupKey)
    {
        var labels = new Dictionary<string, string> { ["rule"] = rule.Name };
        if (rule.GroupBy is { } field)
        {
            labels[field] = groupKey;
        }

        return labels;
    }

    private static bool IsSilenced(AlertRule rule, string groupKey, IReadOnlyList<Silence> silences, DateTimeOffset now)
    {
        var labels = Labels(rule, groupKey);
        return silences.Any(s => s.Mutes(rule.Id, labels, now));
    }

    private async Task<AlertMessage> MessageAsync(AlertRule rule, NotificationKind kind, IReadOnlyList<AlertInstance> instances, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        var samples = new List<string>();
        if (kind is NotificationKind.Firing or NotificationKind.Repeat && rule.Kind is AlertRuleKind.Count or AlertRuleKind.Anomaly && o.SampleEvents > 0)
        {
            foreach (var instance in instances.Take(3))
            {
                try
                {
                    var query = RuleSignals.Query(rule, now - rule.Window, now, rule.GroupBy is null ? null : instance.GroupKey);
                    var page = await search.SearchAsync(new SearchRequest(query) { Size = o.SampleEvents }, ct).ConfigureAwait(false);
                    samples.AddRange(page.Hits.Select(e => Truncate(e.Raw ?? $"{e.Timestamp:O} {e.Level} {e.Service} {e.Message}")));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The samples are a courtesy: the notification goes out without them.
                    LogEvaluationFailed(logger, rule.Name, e.Message);
                }
            }
        }

        return new AlertMessage(
            rule.Id,
            rule.Name,
            kind,
            AlertMessage.ConditionOf(rule),
            rule.Threshold,
            now,
            AlertMessage.LinkOf(rule, o.PublicUrl),
            [.. instances.Select(i => new AlertMessageInstance(i.GroupKey, i.State, i.Value, i.Error))],
            samples);
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";

    [LoggerMessage(LogLevel.Warning, "Alert rule {Rule} could not be evaluated: {Reason}")]
    private static partial void LogEvaluationFailed(ILogger logger, string rule, string reason);
}
