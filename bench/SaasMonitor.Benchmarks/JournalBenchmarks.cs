using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;

namespace SaasMonitor.Benchmarks;

/// <summary>Shared shape of the journal benchmarks: 100k log-sized messages produced in batches of 1,000.</summary>
public abstract class JournalBenchmarkBase
{
    protected const int Messages = 100_000;
    protected const int BatchSize = 1_000;
    protected const string Topic = "logs.raw";
    protected const int ValueBytes = 120;

    protected static BusMessage[] CreateBatch()
    {
        var value = new byte[ValueBytes];
        Random.Shared.NextBytes(value);
        return [.. Enumerable.Range(0, BatchSize).Select(i => new BusMessage(value) { Key = BitConverter.GetBytes(i % 64) })];
    }

    protected static string NewDirectory() => Path.Combine(Path.GetTempPath(), "saasmon-bench-" + Guid.NewGuid().ToString("N"));

    protected static async Task<JournalBus> OpenAsync(string directory, bool fsync)
    {
        var bus = new JournalBus(new JournalOptions { Directory = directory, FsyncOnCommit = fsync });
        await bus.EnsureTopicAsync(new TopicSpec(Topic, 1), CancellationToken.None);
        return bus;
    }
}

/// <summary>Produce throughput, against the limit of one plain file write per batch of the same size.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class JournalProduceBenchmarks : JournalBenchmarkBase
{
    private BusMessage[] _batch = [];
    private string _directory = "";
    private JournalBus? _bus;
    private SafeFileHandle? _rawFile;
    private byte[] _rawBatch = [];

    [Params(false, true)]
    public bool FsyncOnCommit { get; set; }

    [GlobalSetup]
    public void PrepareBatch() => _batch = CreateBatch();

    [IterationSetup(Target = nameof(ProduceAsync))]
    public void OpenJournal()
    {
        _directory = NewDirectory();
        _bus = OpenAsync(_directory, FsyncOnCommit).GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(WriteRawFile))]
    public void OpenRawFile()
    {
        _directory = NewDirectory();
        Directory.CreateDirectory(_directory);
        _rawFile = File.OpenHandle(Path.Combine(_directory, "raw.bin"), FileMode.CreateNew, FileAccess.Write);
        _rawBatch = new byte[BatchSize * (ValueBytes + 48)];
    }

    [IterationCleanup]
    public void Delete()
    {
        _bus?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _rawFile?.Dispose();
        _bus = null;
        _rawFile = null;
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public void WriteRawFile()
    {
        for (var position = 0L; position < (long)Messages * (_rawBatch.Length / BatchSize); position += _rawBatch.Length)
        {
            RandomAccess.Write(_rawFile!, _rawBatch, position);
            if (FsyncOnCommit)
            {
                RandomAccess.FlushToDisk(_rawFile!);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task ProduceAsync()
    {
        for (var i = 0; i < Messages / BatchSize; i++)
        {
            await _bus!.ProduceAsync(Topic, _batch, CancellationToken.None);
        }
    }
}

/// <summary>Consume throughput of a group member reading a full partition, against a plain sequential read of the segment.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class JournalConsumeBenchmarks : JournalBenchmarkBase
{
    private string _directory = "";
    private JournalBus? _bus;

    [GlobalSetup]
    public async Task FillJournalAsync()
    {
        _directory = NewDirectory();
        _bus = await OpenAsync(_directory, fsync: false);
        var batch = CreateBatch();
        for (var i = 0; i < Messages / BatchSize; i++)
        {
            await _bus.ProduceAsync(Topic, batch, CancellationToken.None);
        }
    }

    [GlobalCleanup]
    public async Task DeleteAsync()
    {
        await _bus!.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public long ReadSegmentFile()
    {
        var segment = Directory.GetFiles(_directory, "*.log", SearchOption.AllDirectories).Single();
        using var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        var chunk = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = file.Read(chunk)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<int> ConsumeAsync()
    {
        await using var consumer = _bus!.Subscribe(Guid.NewGuid().ToString("N"), [Topic]);
        var consumed = 0;
        while (consumed < Messages)
        {
            consumed += (await consumer.ConsumeAsync(BatchSize, TimeSpan.FromSeconds(1), CancellationToken.None)).Count;
        }

        return consumed;
    }
}
