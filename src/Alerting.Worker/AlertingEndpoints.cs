using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SaasMonitor.Hosting.Security;

namespace Alerting.Worker;

/// <summary>
/// /api/alert-rules, /api/alert-channels, /api/silences and /api/alerts: viewers read; editors manage rules and
/// silences; admins manage channels.
/// </summary>
public static class AlertingEndpoints
{
    public static WebApplication MapAlerting(this WebApplication app)
    {
        var read = app.MapGroup("/api").WithTags("Alerting").RequireAuthorization(Policies.Viewer);
        var edit = app.MapGroup("/api").WithTags("Alerting").RequireAuthorization(Policies.Editor);
        var admin = app.MapGroup("/api").WithTags("Alerting").RequireAuthorization(Policies.Admin);

        read.MapGet("/alert-rules", (AlertingApi api, CancellationToken ct) => api.ListRulesAsync(ct))
            .WithName("ListAlertRules").WithSummary("Every alert rule with its state (the worst of its instances) and last evaluation.");
        read.MapGet("/alert-rules/export", (AlertingApi api, CancellationToken ct) => api.ExportAsync(ct))
            .WithName("ExportAlertRules").WithSummary("Every rule as JSON, in the form POST /api/alert-rules/import reads.");
        read.MapGet("/alert-rules/{id}", async (string id, AlertingApi api, CancellationToken ct) =>
                await api.GetRuleAsync(id, ct) is { } rule ? Results.Ok(rule) : NotFound("rule", id))
            .WithName("GetAlertRule").WithSummary("One rule with its state.").Produces<RuleView>().ProducesProblem(StatusCodes.Status404NotFound);
        edit.MapPost("/alert-rules", async (RuleBody body, HttpContext http, AlertingApi api) =>
            {
                var rule = await api.SaveRuleAsync(http, null, body, http.RequestAborted);
                return Results.Created($"/api/alert-rules/{rule.Id}", rule);
            })
            .WithName("CreateAlertRule")
            .WithSummary("Create a rule: name, kind (count|kpi|absence|anomaly), query, measure (kpi: error_rate|p95|p99|events_per_second), window, operator, threshold, for, keep_firing, group_by, min_volume, channels, repeat_interval, no_data, on_error.")
            .Produces<RuleView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        edit.MapPut("/alert-rules/{id}", async (string id, RuleBody body, HttpContext http, AlertingApi api) =>
                await api.GetRuleAsync(id, http.RequestAborted) is null ? NotFound("rule", id) : Results.Ok(await api.SaveRuleAsync(http, id, body, http.RequestAborted)))
            .WithName("ChangeAlertRule").WithSummary("Replace a rule; its instances keep their state.").Produces<RuleView>().ProducesProblem(StatusCodes.Status400BadRequest);
        edit.MapDelete("/alert-rules/{id}", async (string id, HttpContext http, AlertingApi api) =>
                await api.DeleteRuleAsync(http, id, http.RequestAborted) ? Results.NoContent() : NotFound("rule", id))
            .WithName("DeleteAlertRule").WithSummary("Delete a rule and its instances (its history stays).");
        edit.MapPost("/alert-rules/import", async (List<RuleBody> body, HttpContext http, AlertingApi api) =>
                Results.Ok(new { imported = await api.ImportAsync(http, body, http.RequestAborted) }))
            .WithName("ImportAlertRules").WithSummary("Create or replace rules (by id) from an export; all are checked before any is saved.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        edit.MapPost("/alert-rules/preview", async (PreviewRequest body, AlertingApi api, CancellationToken ct) =>
                Results.Ok(await api.PreviewAsync(body.Rule ?? throw new SaasMonitor.Core.Alerting.InvalidAlertException("'rule' is required."), body.Hours ?? 24, ct)))
            .WithName("PreviewAlertRule").WithSummary("Backtest a draft rule over the last `hours` (default 24): its value and state at each step and when it would have fired and resolved.")
            .Produces<PreviewResult>().ProducesProblem(StatusCodes.Status400BadRequest);

        read.MapGet("/alert-channels", (AlertingApi api, CancellationToken ct) => api.ListChannelsAsync(ct))
            .WithName("ListAlertChannels").WithSummary("Every channel; secrets are never shown (has_secret says whether one is set).");
        admin.MapPost("/alert-channels", async (ChannelBody body, HttpContext http, AlertingApi api) =>
            {
                var channel = await api.SaveChannelAsync(http, null, body, http.RequestAborted);
                return Results.Created($"/api/alert-channels/{channel.Id}", channel);
            })
            .WithName("CreateAlertChannel")
            .WithSummary("Create a channel: name, type (webhook|slack|email); url and secret (webhook, signs X-SaasMonitor-Signature); smtp_host, smtp_port, smtp_security (auto|none|starttls|tls), smtp_user, smtp_password, from, to (email).")
            .Produces<ChannelView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPut("/alert-channels/{id}", async (string id, ChannelBody body, HttpContext http, AlertingApi api) =>
                (await api.ListChannelsAsync(http.RequestAborted)).Any(c => c.Id == id) ? Results.Ok(await api.SaveChannelAsync(http, id, body, http.RequestAborted)) : NotFound("channel", id))
            .WithName("ChangeAlertChannel").WithSummary("Replace a channel; a secret or password left out is kept.").Produces<ChannelView>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapDelete("/alert-channels/{id}", async (string id, HttpContext http, AlertingApi api) =>
                await api.DeleteChannelAsync(http, id, http.RequestAborted) ? Results.NoContent() : NotFound("channel", id))
            .WithName("DeleteAlertChannel").WithSummary("Delete a channel no rule sends to.");
        admin.MapPost("/alert-channels/{id}/test", async (string id, HttpContext http, AlertingApi api) =>
                await api.SendTestAsync(http, id, http.RequestAborted) is { } delivery ? Results.Ok(delivery) : NotFound("channel", id))
            .WithName("TestAlertChannel").WithSummary("Send a test message now; answers the delivery (status sent or failed, with the reason).").Produces<DeliveryView>();

        read.MapGet("/silences", (AlertingApi api, CancellationToken ct) => api.ListSilencesAsync(ct))
            .WithName("ListSilences").WithSummary("Silences and maintenance windows.");
        edit.MapPost("/silences", async (SilenceBody body, HttpContext http, AlertingApi api) =>
            {
                var silence = await api.CreateSilenceAsync(http, body, http.RequestAborted);
                return Results.Created($"/api/silences/{silence.Id}", silence);
            })
            .WithName("CreateSilence")
            .WithSummary("Mute notifications (state changes are still recorded): rule_id and/or matchers, starts_at, ends_at or duration, comment; with recurrence {days, start, duration} a weekly maintenance window.")
            .Produces<SilenceView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        edit.MapDelete("/silences/{id}", async (string id, HttpContext http, AlertingApi api) =>
                await api.DeleteSilenceAsync(http, id, http.RequestAborted) ? Results.NoContent() : NotFound("silence", id))
            .WithName("DeleteSilence").WithSummary("End a silence.");

        read.MapGet("/alerts", (AlertingApi api, [FromQuery] string? state, CancellationToken ct) => api.ListAlertsAsync(state, ct))
            .WithName("ListAlerts").WithSummary("Current alert instances (state: normal|pending|firing|recovering|no_data|error to filter).");
        read.MapGet("/alerts/history", (AlertingApi api, [FromQuery(Name = "rule_id")] string? ruleId, [FromQuery] long? before, [FromQuery] int? limit, CancellationToken ct) =>
                api.HistoryAsync(ruleId, before, limit, ct))
            .WithName("AlertHistory").WithSummary("State changes, newest first: rule_id, before (an id, for the next page), limit (≤ 1000).");
        read.MapGet("/alerts/notifications", (AlertingApi api, [FromQuery(Name = "rule_id")] string? ruleId, [FromQuery(Name = "channel_id")] string? channelId, [FromQuery] int? limit, CancellationToken ct) =>
                api.DeliveriesAsync(ruleId, channelId, limit, ct))
            .WithName("AlertNotifications").WithSummary("Notifications with their delivery status (pending, sent, failed with the reason, silenced), newest first.");
        return app;
    }

    private static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no {what} '{id}'.");
}
