using System.Globalization;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting.Security;

namespace Alerting.Worker;

/// <summary>
/// The alerting API's rules: validation with reasons (answered as 400), secrets encrypted before they are stored,
/// every change audited. The dashboard's pages call these same methods.
/// </summary>
public sealed class AlertingApi(
    IAlertStore store,
    ISearchStore search,
    IRuleSignals signals,
    ChannelSecrets secrets,
    TargetGuard guard,
    Notifier notifier,
    AuditLog audit,
    IOptions<AlertingOptions> options,
    TimeProvider time)
{
    /// <summary>The most preview steps one backtest evaluates.</summary>
    public const int MaxPreviewSteps = 240;

    public async Task<IReadOnlyList<RuleView>> ListRulesAsync(CancellationToken ct)
    {
        var instances = (await store.ListInstancesAsync(null, ct).ConfigureAwait(false)).ToLookup(i => i.RuleId);
        return [.. (await store.ListRulesAsync(ct).ConfigureAwait(false)).Select(r => RuleView.Of(r, [.. instances[r.Id]]))];
    }

    public async Task<RuleView?> GetRuleAsync(string id, CancellationToken ct) =>
        await store.GetRuleAsync(id, ct).ConfigureAwait(false) is { } rule ? RuleView.Of(rule, await store.ListInstancesAsync(id, ct).ConfigureAwait(false)) : null;

    /// <summary>Creates (no <paramref name="id"/>) or replaces a rule.</summary>
    public async Task<RuleView> SaveRuleAsync(Actor actor, string? id, RuleBody body, CancellationToken ct)
    {
        var rule = await ValidateAsync(body, id ?? NewId(), actor.Name, ct).ConfigureAwait(false);
        await store.SaveRuleAsync(rule, ct).ConfigureAwait(false);
        await AuditAsync(actor, AuditActions.AlertRuleSaved, rule.Id, rule.Name, ct).ConfigureAwait(false);
        return RuleView.Of(rule, await store.ListInstancesAsync(rule.Id, ct).ConfigureAwait(false));
    }

    public async Task<bool> DeleteRuleAsync(Actor actor, string id, CancellationToken ct)
    {
        var deleted = await store.DeleteRuleAsync(id, ct).ConfigureAwait(false);
        if (deleted)
        {
            await AuditAsync(actor, AuditActions.AlertRuleDeleted, id, null, ct).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <summary>Every rule in the form <see cref="ImportAsync"/> reads, for version control.</summary>
    public async Task<IReadOnlyList<RuleBody>> ExportAsync(CancellationToken ct) =>
        [.. (await store.ListRulesAsync(ct).ConfigureAwait(false)).Select(RuleBody.Of)];

    /// <summary>Validates every rule first, then saves them all (by id; a rule without one is new): all or nothing.</summary>
    public async Task<int> ImportAsync(Actor actor, IReadOnlyList<RuleBody> bodies, CancellationToken ct)
    {
        var rules = new List<AlertRule>();
        foreach (var (body, index) in bodies.Select((b, i) => (b, i)))
        {
            try
            {
                rules.Add(await ValidateAsync(body, body.Id ?? NewId(), actor.Name, ct).ConfigureAwait(false));
            }
            catch (InvalidAlertException e)
            {
                throw new InvalidAlertException($"Rule {index + 1} ({body.Name}): {e.Message}");
            }
        }

        foreach (var rule in rules)
        {
            await store.SaveRuleAsync(rule, ct).ConfigureAwait(false);
        }

        await AuditAsync(actor, AuditActions.AlertRulesImported, null, $"{rules.Count} rules", ct).ConfigureAwait(false);
        return rules.Count;
    }

    /// <summary>
    /// Backtest: evaluates a draft rule at steps over the last <paramref name="hours"/> hours as the worker would
    /// (state machine included) and answers each step's values and when it would have fired and resolved.
    /// </summary>
    public async Task<PreviewResult> PreviewAsync(RuleBody body, double hours, CancellationToken ct)
    {
        if (hours is <= 0 or > 24 * 30)
        {
            throw new InvalidAlertException("'hours' must be more than 0 and at most 720.");
        }

        var rule = await ValidateAsync(body with { Channels = [] }, "preview", null, ct, checkChannels: false).ConfigureAwait(false);
        var end = time.GetUtcNow();
        var span = TimeSpan.FromHours(hours);
        var step = TimeSpan.FromTicks(Math.Max(options.Value.EvaluationInterval.Ticks, Math.Max(rule.Window.Ticks, span.Ticks / MaxPreviewSteps)));
        var instances = new Dictionary<string, AlertInstance>();
        var points = new List<PreviewPoint>();
        var transitions = new List<AlertTransition>();
        for (var at = end - span + step; at <= end; at += step)
        {
            var observed = await signals.ObserveAsync(rule, instances.Keys, at, ct).ConfigureAwait(false);
            foreach (var (key, observation) in observed)
            {
                var before = instances.GetValueOrDefault(key) ?? new AlertInstance { RuleId = rule.Id, GroupKey = key, StateSince = at };
                var (next, notify) = AlertStateMachine.Step(rule, before, observation, at);
                instances[key] = next;
                points.Add(new PreviewPoint(at, key, observation.Value, next.State));
                if (next.State != before.State)
                {
                    transitions.Add(new AlertTransition { RuleId = rule.Id, GroupKey = key, From = before.State, To = next.State, At = at, Value = next.Value, Notification = notify });
                }
            }
        }

        return new PreviewResult(Durations.Format(step), points, [.. transitions.Select(TransitionView.Of)]);
    }

    public async Task<IReadOnlyList<ChannelView>> ListChannelsAsync(CancellationToken ct) =>
        [.. (await store.ListChannelsAsync(ct).ConfigureAwait(false)).Select(ChannelView.Of)];

    public async Task<ChannelView> SaveChannelAsync(Actor actor, string? id, ChannelBody body, CancellationToken ct)
    {
        var existing = id is null ? null : await store.GetChannelAsync(id, ct).ConfigureAwait(false);
        var channel = await ValidateAsync(body, id ?? NewId(), existing, actor.Name, ct).ConfigureAwait(false);
        await store.SaveChannelAsync(channel, ct).ConfigureAwait(false);
        await AuditAsync(actor, AuditActions.AlertChannelSaved, channel.Id, $"{channel.Name} ({channel.Type})", ct).ConfigureAwait(false);
        return ChannelView.Of(channel);
    }

    public async Task<bool> DeleteChannelAsync(Actor actor, string id, CancellationToken ct)
    {
        if ((await store.ListRulesAsync(ct).ConfigureAwait(false)).FirstOrDefault(r => r.Channels.Contains(id)) is { } user)
        {
            throw new InvalidAlertException($"The rule '{user.Name}' sends to this channel: take it off the rule first.");
        }

        var deleted = await store.DeleteChannelAsync(id, ct).ConfigureAwait(false);
        if (deleted)
        {
            await AuditAsync(actor, AuditActions.AlertChannelDeleted, id, null, ct).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <summary>Sends a test message to the channel now, records the delivery, and answers how it went.</summary>
    public async Task<DeliveryView?> SendTestAsync(Actor actor, string id, CancellationToken ct)
    {
        if (await store.GetChannelAsync(id, ct).ConfigureAwait(false) is not { } channel)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var message = new AlertMessage("", "Test from SaasMonitor", NotificationKind.Test, "a test of this channel", 0, now, options.Value.PublicUrl, [], []);
        var notification = new AlertNotification { RuleId = "", ChannelId = id, Kind = NotificationKind.Test, Payload = message.ToJson(), CreatedAt = now, NextAttemptAt = now, Attempts = 1 };
        try
        {
            await notifier.SendAsync(channel, message, "test-" + Guid.NewGuid().ToString("N"), ct).ConfigureAwait(false);
            notification = notification with { Status = DeliveryStatus.Sent, SentAt = time.GetUtcNow() };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            notification = notification with { Status = DeliveryStatus.Failed, LastError = e.Message };
        }

        notification = await store.EnqueueAsync(notification, ct).ConfigureAwait(false);
        await audit.RecordAsync(actor.Name, actor.Address, AuditActions.AlertChannelTested, id, notification.Status == DeliveryStatus.Sent, notification.LastError, ct).ConfigureAwait(false);
        return DeliveryView.Of(notification);
    }

    public async Task<IReadOnlyList<SilenceView>> ListSilencesAsync(CancellationToken ct) =>
        [.. (await store.ListSilencesAsync(ct).ConfigureAwait(false)).Select(SilenceView.Of)];

    public async Task<SilenceView> CreateSilenceAsync(Actor actor, SilenceBody body, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (string.IsNullOrEmpty(body.RuleId) && (body.Matchers is null || body.Matchers.Count == 0))
        {
            throw new InvalidAlertException("A silence needs 'rule_id' or 'matchers' (labels such as {\"service\": \"billing\"} or {\"rule\": \"billing errors\"}).");
        }

        if (body.RuleId is { Length: > 0 } ruleId && await store.GetRuleAsync(ruleId, ct).ConfigureAwait(false) is null)
        {
            throw new InvalidAlertException($"There is no rule '{ruleId}'.");
        }

        var starts = body.StartsAt ?? now;
        var ends = body.EndsAt ?? (body.Duration is { } d ? starts + Durations.Parse(d, "duration") : throw new InvalidAlertException("A silence needs 'ends_at' or 'duration'."));
        if (ends <= starts)
        {
            throw new InvalidAlertException("'ends_at' must be after 'starts_at'.");
        }

        var silence = new Silence
        {
            Id = NewId(),
            RuleId = string.IsNullOrEmpty(body.RuleId) ? null : body.RuleId,
            Matchers = body.Matchers ?? new Dictionary<string, string>(),
            StartsAt = starts,
            EndsAt = ends,
            Recurrence = body.Recurrence?.ToRecurrence(),
            Comment = body.Comment ?? "",
            CreatedBy = actor.Name,
            CreatedAt = now,
        };
        await store.SaveSilenceAsync(silence, ct).ConfigureAwait(false);
        await AuditAsync(actor, AuditActions.SilenceCreated, silence.Id, silence.Comment, ct).ConfigureAwait(false);
        return SilenceView.Of(silence);
    }

    public async Task<bool> DeleteSilenceAsync(Actor actor, string id, CancellationToken ct)
    {
        var deleted = await store.DeleteSilenceAsync(id, ct).ConfigureAwait(false);
        if (deleted)
        {
            await AuditAsync(actor, AuditActions.SilenceDeleted, id, null, ct).ConfigureAwait(false);
        }

        return deleted;
    }

    public async Task<IReadOnlyList<AlertView>> ListAlertsAsync(string? state, CancellationToken ct)
    {
        var wanted = state is null ? (AlertState?)null : Enum.TryParse<AlertState>(state.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var s) ? s
            : throw new InvalidAlertException($"Unknown state '{state}': normal, pending, firing, recovering, no_data or error.");
        var rules = (await store.ListRulesAsync(ct).ConfigureAwait(false)).ToDictionary(r => r.Id);
        return [.. (await store.ListInstancesAsync(null, ct).ConfigureAwait(false))
            .Where(i => wanted is null || i.State == wanted)
            .Select(i => AlertView.Of(i, rules.GetValueOrDefault(i.RuleId)?.Name ?? i.RuleId))];
    }

    public async Task<IReadOnlyList<TransitionView>> HistoryAsync(string? ruleId, long? before, int? limit, CancellationToken ct) =>
        [.. (await store.ListHistoryAsync(ruleId, before, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false)).Select(TransitionView.Of)];

    public async Task<IReadOnlyList<DeliveryView>> DeliveriesAsync(string? ruleId, string? channelId, int? limit, CancellationToken ct) =>
        [.. (await store.ListNotificationsAsync(ruleId, channelId, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false)).Select(DeliveryView.Of)];

    private Task AuditAsync(Actor actor, string action, string? target, string? detail, CancellationToken ct) =>
        audit.RecordAsync(actor.Name, actor.Address, action, target, success: true, detail, ct);

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    private async Task<AlertRule> ValidateAsync(RuleBody b, string id, string? actor, CancellationToken ct, bool checkChannels = true)
    {
        if (string.IsNullOrWhiteSpace(b.Name) || b.Name.Length > 200)
        {
            throw new InvalidAlertException("'name' is required (at most 200 characters).");
        }

        var kind = Parse<AlertRuleKind>(b.Kind ?? "count", "kind", "count, kpi, absence or anomaly");
        var measure = b.Measure is null ? (KpiMeasure?)null : Parse<KpiMeasure>(b.Measure, "measure", "error_rate, p95, p99 or events_per_second");
        if (kind == AlertRuleKind.Kpi && measure is null)
        {
            throw new InvalidAlertException("A kpi rule needs 'measure': error_rate, p95, p99 or events_per_second.");
        }

        if (b.GroupBy is { } g && !(kind == AlertRuleKind.Kpi ? ["service", "endpoint"] : GroupFields.All).Contains(g))
        {
            throw new InvalidAlertException($"'group_by' must be one of {string.Join(", ", kind == AlertRuleKind.Kpi ? ["service", "endpoint"] : GroupFields.All)} for a {b.Kind} rule; got '{g}'.");
        }

        if (kind != AlertRuleKind.Absence && b.Threshold is not { } threshold)
        {
            throw new InvalidAlertException("'threshold' is required (a number).");
        }

        var window = Durations.Parse(b.Window ?? "5m", "window");
        if (window < TimeSpan.FromSeconds(10) || window > TimeSpan.FromDays(7))
        {
            throw new InvalidAlertException("'window' must be between 10s and 7d.");
        }

        var repeat = Durations.Parse(b.RepeatInterval ?? "4h", "repeat_interval");
        if (repeat > TimeSpan.Zero && repeat < TimeSpan.FromMinutes(1))
        {
            throw new InvalidAlertException("'repeat_interval' must be 0s (never) or at least 1m.");
        }

        // The search store answers bad syntax with InvalidQueryException (a 400 with the parser's reason).
        if (kind != AlertRuleKind.Kpi)
        {
            var now = time.GetUtcNow();
            await search.CountAsync(new SearchQuery { Text = b.Query ?? "", From = now, To = now }, ct).ConfigureAwait(false);
        }

        var channels = b.Channels ?? [];
        if (checkChannels)
        {
            var known = (await store.ListChannelsAsync(ct).ConfigureAwait(false)).Select(c => c.Id).ToHashSet();
            if (channels.FirstOrDefault(c => !known.Contains(c)) is { } unknown)
            {
                throw new InvalidAlertException($"There is no channel '{unknown}'.");
            }
        }

        return new AlertRule
        {
            Id = id,
            Name = b.Name.Trim(),
            Kind = kind,
            Query = b.Query ?? "",
            Measure = measure,
            Window = window,
            Operator = AlertOperators.Parse(b.Operator ?? ">"),
            Threshold = b.Threshold ?? 0,
            For = Durations.Parse(b.For ?? "0s", "for"),
            KeepFiring = Durations.Parse(b.KeepFiring ?? "0s", "keep_firing"),
            GroupBy = b.GroupBy,
            MinVolume = Math.Max(0, b.MinVolume ?? 0),
            Channels = [.. channels.Distinct()],
            RepeatInterval = repeat,
            NoData = Parse<MissingDataHandling>(b.NoData ?? "report", "no_data", "report, alerting, normal or keep_last"),
            OnError = Parse<MissingDataHandling>(b.OnError ?? "report", "on_error", "report, alerting, normal or keep_last"),
            Enabled = b.Enabled ?? true,
            UpdatedAt = time.GetUtcNow(),
            UpdatedBy = actor,
        };
    }

    private async Task<AlertChannel> ValidateAsync(ChannelBody b, string id, AlertChannel? existing, string? actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(b.Name) || b.Name.Length > 200)
        {
            throw new InvalidAlertException("'name' is required (at most 200 characters).");
        }

        var type = Parse<ChannelType>(b.Type ?? "", "type", "webhook, slack or email");
        var channel = new AlertChannel { Id = id, Name = b.Name.Trim(), Type = type, UpdatedAt = time.GetUtcNow(), UpdatedBy = actor };
        if (type != ChannelType.Email)
        {
            await guard.CheckAsync(b.Url, ct).ConfigureAwait(false);
            return channel with { Url = b.Url, ProtectedSecret = type == ChannelType.Webhook ? secrets.Protect(b.Secret) ?? existing?.ProtectedSecret : null };
        }

        if (string.IsNullOrWhiteSpace(b.SmtpHost))
        {
            throw new InvalidAlertException("An email channel needs 'smtp_host'.");
        }

        var to = b.To ?? [];
        if (to.Count == 0 || !to.Append(b.From ?? "").All(a => MimeKit.MailboxAddress.TryParse(a, out _)))
        {
            throw new InvalidAlertException("An email channel needs 'from' and at least one address in 'to', each a valid e-mail address.");
        }

        return channel with
        {
            SmtpHost = b.SmtpHost,
            SmtpPort = b.SmtpPort is > 0 and < 65536 ? b.SmtpPort.Value : b.SmtpPort is null ? 587 : throw new InvalidAlertException("'smtp_port' must be 1-65535."),
            SmtpSecurity = Parse<SmtpSecurity>(b.SmtpSecurity ?? "auto", "smtp_security", "auto, none, starttls or tls"),
            SmtpUser = b.SmtpUser,
            ProtectedSecret = secrets.Protect(b.SmtpPassword) ?? existing?.ProtectedSecret,
            From = b.From,
            To = to,
        };
    }

    private static T Parse<T>(string value, string name, string allowed)
        where T : struct, Enum =>
        Enum.TryParse<T>(value.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && !int.TryParse(value, CultureInfo.InvariantCulture, out _)
            ? parsed
            : throw new InvalidAlertException($"'{name}' must be {allowed}; got '{value}'.");
}
