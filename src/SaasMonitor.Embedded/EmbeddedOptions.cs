using System.ComponentModel.DataAnnotations;

namespace SaasMonitor.Embedded;

/// <summary>The keys of configuration section "SaasMonitor" that the embedded engines read.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "SaasMonitor";

    /// <summary>Folder of the embedded engines' data: journal/, index/, saasmon.db and files/.</summary>
    [Required(ErrorMessage = "The embedded engines need a data folder: set SaasMonitor:DataDirectory.")]
    public string DataDirectory { get; set; } = "data";

    /// <summary>When true every commit of the journal and of SQLite is fsynced (survives power loss); otherwise commits survive a process kill.</summary>
    public bool Fsync { get; set; }

    /// <summary>
    /// True in the one process that writes the embedded index (the indexer's host, or the all-in-one); every other
    /// process opens it for searching only and reads the writer's commits.
    /// </summary>
    public bool IndexWriter { get; set; }

    internal string Folder(string name)
    {
        Directory.CreateDirectory(DataDirectory);
        return Path.Combine(DataDirectory, name);
    }
}
