namespace SaasMonitor;

/// <summary>
/// saasmon's own switches, turned into configuration keys:
/// <c>--demo</c> (demo traffic at 200 events/s), <c>--demo-rate N</c>, <c>--data-dir DIR</c>.
/// Every other argument is passed on as .NET configuration (e.g. <c>--urls http://0.0.0.0:8080</c>).
/// </summary>
internal static class CommandLine
{
    public const int DefaultDemoRate = 200;

    public static string[] Expand(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = Split(args[i]);
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value."));
            switch (name)
            {
                case "--demo":
                    result.Add($"--SaasMonitor:Demo:Rate={inline ?? DefaultDemoRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                    break;
                case "--demo-rate":
                    result.Add($"--SaasMonitor:Demo:Rate={Value()}");
                    break;
                case "--data-dir":
                    result.Add($"--SaasMonitor:DataDirectory={Value()}");
                    break;
                default:
                    result.Add(args[i]);
                    break;
            }
        }

        return [.. result];
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (arg, null) : (arg[..eq], arg[(eq + 1)..]);
    }
}
