using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SaasMonitor.Core.Events;
using SaasMonitor.Embedded.Search;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// PROTOTYPE MEASUREMENT, not product code: what writing events costs in the shape proposed for the search store
/// (docs/benchmarks.md, "What is left, and why") against Lucene.NET's AddDocument as the store does it today.
/// The proposed shape: events in time order, cut into blocks of <see cref="ColumnBlockWriter.BlockSize"/>; each
/// field one column per block (strings as length-prefixed UTF-8, numbers as fixed-width or delta values), every
/// column compressed with Zstandard level 1, and per block the distinct hashes of the message's terms (lower-cased
/// letter and digit runs) as the block's term index. Both sides get the same parsed events and their JSON, indexed
/// on one thread into a fresh folder and made durable at the end. Mean is per event.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ColumnBlockPrototype
{
    private const int Events = 100_000;
    private const int BatchSize = 1_000;

    private LogEvent[][] _batches = [];
    private ReadOnlyMemory<byte>[][] _json = [];
    private string _folder = "";

    [GlobalSetup]
    public void LoadEvents()
    {
        var events = BenchmarkEvents.Generate(Events, new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1));
        _batches = [.. events.Chunk(BatchSize)];
        _json = [.. _batches.Select(b => b.Select(e => (ReadOnlyMemory<byte>)JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event)).ToArray())];
    }

    [IterationSetup]
    public void CreateFolder()
    {
        _folder = BenchmarkEvents.NewTempFolder();
        Directory.CreateDirectory(_folder);
    }

    [IterationCleanup]
    public void DeleteFolder()
    {
        var bytes = new DirectoryInfo(_folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Console.WriteLine($"// {bytes / (double)Events:N0} bytes on disk per event");
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task Lucene_add_document()
    {
        using var store = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder, IndexingThreads = 1 });
        for (var i = 0; i < _batches.Length; i++)
        {
            await store.UpsertAsync(_batches[i], _json[i], CancellationToken.None);
        }

        await store.FlushAsync(CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void Zstd_column_blocks()
    {
        using var writer = new ColumnBlockWriter(Path.Combine(_folder, "events.blocks"));
        foreach (var batch in _batches)
        {
            foreach (var e in batch)
            {
                writer.Add(e);
            }
        }
    }
}

/// <summary>The prototype's writer: one file of blocks, each a header, its term hashes and its compressed columns.</summary>
internal sealed class ColumnBlockWriter : IDisposable
{
    public const int BlockSize = 8_192;

    private static readonly Func<LogEvent, string?>[] StringColumns =
    [
        e => e.Id, e => e.Level, e => e.Message, e => e.Service, e => e.Server, e => e.Endpoint, e => e.Method,
        e => e.ClientIp, e => e.UserId, e => e.TenantId, e => e.TraceId, e => e.Source, e => e.FileId,
    ];

    private readonly FileStream _file;
    private readonly ColumnBuffer[] _strings = [.. StringColumns.Select(_ => new ColumnBuffer())];
    private readonly ColumnBuffer _timestamps = new();
    private readonly ColumnBuffer _received = new();
    private readonly ColumnBuffer _statusCodes = new();
    private readonly ColumnBuffer _responseTimes = new();
    private readonly HashSet<ulong> _terms = [];
    private readonly ZstdSharp.Compressor _zstd = new(1);
    private byte[] _compressed = new byte[1 << 20];
    private int _count;
    private long _previousMs;

    public ColumnBlockWriter(string path) => _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

    public void Add(LogEvent e)
    {
        for (var i = 0; i < StringColumns.Length; i++)
        {
            _strings[i].WriteString(StringColumns[i](e));
        }

        var ms = e.Timestamp.ToUnixTimeMilliseconds();
        _timestamps.WriteVarLong(ms - _previousMs);
        _previousMs = ms;
        _received.WriteVarLong(e.ReceivedAt.ToUnixTimeMilliseconds() - ms);
        _statusCodes.WriteVarLong(e.StatusCode ?? 0);
        _responseTimes.WriteDouble(e.ResponseTimeMs ?? double.NaN);
        AddTerms(e.Message);
        if (++_count == BlockSize)
        {
            WriteBlock();
        }
    }

    /// <summary>Hashes each lower-cased run of letters and digits (FNV-1a) without materialising the term.</summary>
    private void AddTerms(string message)
    {
        var hash = 0UL;
        var inTerm = false;
        foreach (var c in message)
        {
            if (char.IsLetterOrDigit(c))
            {
                hash = ((inTerm ? hash : 14695981039346656037UL) ^ char.ToLowerInvariant(c)) * 1099511628211UL;
                inTerm = true;
            }
            else if (inTerm)
            {
                _terms.Add(hash);
                inTerm = false;
            }
        }

        if (inTerm)
        {
            _terms.Add(hash);
        }
    }

    private void WriteBlock()
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, _count);
        BinaryPrimitives.WriteInt64LittleEndian(header[4..], _previousMs);
        _file.Write(header);
        var terms = _terms.ToArray();
        Array.Sort(terms);
        var termIndex = new ColumnBuffer();
        foreach (var term in terms)
        {
            termIndex.WriteULong(term);
        }

        Compress(termIndex);
        foreach (var column in _strings.Append(_timestamps).Append(_received).Append(_statusCodes).Append(_responseTimes))
        {
            Compress(column);
            column.Clear();
        }

        _terms.Clear();
        _count = 0;
        _previousMs = 0;
    }

    private void Compress(ColumnBuffer column)
    {
        var bound = ZstdSharp.Compressor.GetCompressBound(column.Length);
        if (_compressed.Length < bound)
        {
            _compressed = new byte[bound];
        }

        var written = _zstd.Wrap(column.Written, _compressed);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, written);
        _file.Write(length);
        _file.Write(_compressed, 0, written);
    }

    public void Dispose()
    {
        if (_count > 0)
        {
            WriteBlock();
        }

        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _zstd.Dispose();
    }

    /// <summary>A growable byte buffer for one column of one block.</summary>
    private sealed class ColumnBuffer
    {
        private byte[] _bytes = new byte[1 << 16];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

        public void Clear() => Length = 0;

        public void WriteString(string? value)
        {
            var max = value is null ? 0 : Encoding.UTF8.GetMaxByteCount(value.Length);
            var span = Reserve(5 + max);
            var length = value is null ? 0 : Encoding.UTF8.GetBytes(value, span[5..]);
            Length += VarInt(span, value is null ? 0 : (ulong)length + 1);
            span[5..(5 + length)].CopyTo(_bytes.AsSpan(Length));
            Length += length;
        }

        public void WriteVarLong(long value) => Length += VarInt(Reserve(10), (ulong)((value << 1) ^ (value >> 63)));

        public void WriteDouble(double value)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
            Length += 8;
        }

        public void WriteULong(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
            Length += 8;
        }

        private Span<byte> Reserve(int size)
        {
            if (Length + size > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + size));
            }

            return _bytes.AsSpan(Length);
        }

        private static int VarInt(Span<byte> target, ulong value)
        {
            var i = 0;
            for (; value >= 0x80; value >>= 7)
            {
                target[i++] = (byte)(value | 0x80);
            }

            target[i++] = (byte)value;
            return i;
        }
    }
}
