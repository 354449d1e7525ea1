using System.Runtime.CompilerServices;

// The indexing benchmark compares the full document mapping with a stripped-down one.
[assembly: InternalsVisibleTo("SaasMonitor.Benchmarks")]
