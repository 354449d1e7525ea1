namespace SaasMonitor.Tests;

/// <summary>
/// Locates the shared real-log samples (the repository's sibling folder shared/data, or SAASMON_TEST_DATA).
/// A test that asks for a sample where there is none is skipped with the reason.
/// </summary>
public static class TestData
{
    private static readonly string? Found = Find();

    public static string Root => Found ?? throw new DirectoryNotFoundException(MissingReason);

    /// <summary>True when the samples are on this machine; theory data built from them is empty otherwise.</summary>
    public static bool Available => Found is not null;

    /// <summary>The path of a sample; skips the calling test when the samples are not there.</summary>
    public static string PathOf(params string[] parts)
    {
        if (Found is null)
        {
            Assert.Skip(MissingReason);
        }

        return Path.Combine([Found, .. parts]);
    }

    private static string MissingReason => "the real-log samples (shared/data above the repository, or SAASMON_TEST_DATA) are not on this machine";

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SAASMON_TEST_DATA");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
