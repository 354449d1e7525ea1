namespace SaasMonitor.Core.Identity;

/// <summary>The names of the actions written to the audit log, one definition for every module and command.</summary>
public static class AuditActions
{
    public const string SignIn = "sign_in";
    public const string SignInFailed = "sign_in_failed";
    public const string SignOut = "sign_out";
    public const string Lockout = "lockout";
    public const string Setup = "setup";
    public const string UserCreated = "user_created";
    public const string UserChanged = "user_changed";
    public const string UserDisabled = "user_disabled";
    public const string UserEnabled = "user_enabled";
    public const string UserDeleted = "user_deleted";
    public const string RoleChanged = "role_changed";
    public const string PasswordChanged = "password_changed";
    public const string TokenIssued = "token_issued";
    public const string TokenRevoked = "token_revoked";
    public const string IngestKeyIssued = "ingest_key_issued";
    public const string IngestKeyRevoked = "ingest_key_revoked";
    public const string FileDeleted = "file_deleted";
    public const string Replay = "replay";
    public const string Redrive = "redrive";
    public const string AlertRuleSaved = "alert_rule_saved";
    public const string AlertRuleDeleted = "alert_rule_deleted";
    public const string AlertRulesImported = "alert_rules_imported";
    public const string AlertChannelSaved = "alert_channel_saved";
    public const string AlertChannelDeleted = "alert_channel_deleted";
    public const string AlertChannelTested = "alert_channel_tested";
    public const string SilenceCreated = "silence_created";
    public const string SilenceDeleted = "silence_deleted";
}
