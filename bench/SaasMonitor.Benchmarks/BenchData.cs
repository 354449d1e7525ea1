namespace SaasMonitor.Benchmarks;

/// <summary>Locates the shared real-log samples (a folder shared/data above the benchmark's directory, or SAASMON_TEST_DATA).</summary>
internal static class BenchData
{
    public static string PathOf(params string[] parts) => Path.Combine([Root(), .. parts]);

    private static string Root()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SAASMON_TEST_DATA");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/data not found above the benchmark directory; set SAASMON_TEST_DATA.");
    }
}
