namespace SaasMonitor.Core;

/// <summary>Default topic names of the pipeline.</summary>
public static class Topics
{
    /// <summary>Raw records as received by the gateway or written by producers.</summary>
    public const string Raw = "logs.raw";
    /// <summary>Parsed <see cref="Events.LogEvent"/>s, JSON, keyed by event id.</summary>
    public const string Events = "logs.events";
    /// <summary>Records that could not be processed, with their original bytes and the reason.</summary>
    public const string DeadLetter = "logs.dlq";
}
