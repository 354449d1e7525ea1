using System.Runtime.InteropServices;

namespace SaasMonitor.Kafka;

/// <summary>
/// Loads librdkafka, the native Kafka client under Confluent.Kafka, and points Confluent.Kafka's P/Invoke calls at it.
/// The package's default linux-x64 build needs libsasl2.so.3, which Debian 12 lacks, while its centos8 build of the
/// same version loads there; Confluent's own Library.Load cannot help because it looks for "libdl", also absent.
/// So the default build is tried first and the centos8 build is the fallback, resolved once before any client exists.
/// </summary>
internal static class RdKafkaLibrary
{
    private static readonly Lazy<IntPtr> Loaded = new(Load);

    /// <summary>The handle of the loaded library (for calling librdkafka functions Confluent.Kafka does not wrap).</summary>
    public static IntPtr Handle => Loaded.Value;

    /// <summary>Makes sure Confluent.Kafka resolves librdkafka through <see cref="Handle"/>; safe to call many times.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static IntPtr Load()
    {
        var handle = TryLoadBundled();
        if (handle != IntPtr.Zero)
        {
            NativeLibrary.SetDllImportResolver(
                typeof(Confluent.Kafka.Library).Assembly,
                (name, _, _) => name == "librdkafka" ? handle : IntPtr.Zero);
            return handle;
        }

        // Elsewhere (another OS, a RID-specific publish) the runtime's own probing finds the library.
        return NativeLibrary.Load("librdkafka", typeof(Confluent.Kafka.Library).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories);
    }

    private static IntPtr TryLoadBundled()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return IntPtr.Zero;
        }

        var directory = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        foreach (var file in new[] { "librdkafka.so", "centos8-librdkafka.so" })
        {
            if (NativeLibrary.TryLoad(Path.Combine(directory, file), out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }
}
