using BenchmarkDotNet.Running;

namespace SaasMonitor.Benchmarks;

// A named class rather than top-level statements: the referenced worker hosts expose their own global Program
// (InternalsVisibleTo), which a top-level Program here would collide with (CS0436).
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
