namespace SaasMonitor.Tests;

/// <summary>Locates the shared real-log samples (the repository's sibling folder shared/data).</summary>
public static class TestData
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
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

        throw new DirectoryNotFoundException("shared/data not found above the test directory; set SAASMON_TEST_DATA.");
    }
}
