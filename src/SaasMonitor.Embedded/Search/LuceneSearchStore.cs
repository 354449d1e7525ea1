using System.Globalization;
using System.Runtime.ExceptionServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// The embedded log index: Lucene.NET, one index folder per UTC day of the event time. Writes (upsert, flush,
/// delete) run one at a time, a large upsert batch on <see cref="LuceneSearchOptions.IndexingThreads"/> threads;
/// any number of threads search. Searches see upserts within
/// <see cref="LuceneSearchOptions.RefreshInterval"/> and open only the days their time range overlaps.
/// An upsert replaces the event of the same id within the day of its timestamp; ids are derived from the
/// event's origin, so a replayed event carries the same timestamp and lands on the same day.
/// Exactly one process writes a folder; other processes on the host open it with
/// <see cref="LuceneSearchOptions.ReadOnly"/> and see the writer's commits within the refresh interval.
/// </summary>
public sealed class LuceneSearchStore : ISearchStore, IDisposable
{
    private const string DayFormat = "yyyy-MM-dd";
    private const string LockFileName = "write.lock";

    /// <summary>Batches smaller than this per thread are indexed on the calling thread alone.</summary>
    private const int MinEventsPerThread = 256;

    private static readonly Task<IReadOnlyList<RejectedEvent>> NoneRejected = Task.FromResult<IReadOnlyList<RejectedEvent>>([]);

    private readonly LuceneSearchOptions _options;
    private readonly TimeProvider _time;
    private readonly FileStream? _processLock;
    private readonly IndexingLane[] _lanes;
    private readonly Lock _writeLock = new();
    private readonly Lock _daysLock = new();

    /// <summary>Every day folder, opened (value) or known on disk only (null).</summary>
    private readonly SortedDictionary<DateOnly, DayPartition?> _days = [];
    private long _discoveredAt;
    private bool _disposed;

    public LuceneSearchStore(LuceneSearchOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory, "options.Directory");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RefreshInterval, TimeSpan.Zero, "options.RefreshInterval");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IndexingThreads, 1, "options.IndexingThreads");
        _options = options;
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.Directory);
        if (options.ReadOnly)
        {
            _lanes = [];
        }
        else
        {
            _lanes = [.. Enumerable.Range(0, options.IndexingThreads).Select(_ => new IndexingLane(this, options.DocumentShape))];
            try
            {
                _processLock = new FileStream(
                    Path.Combine(options.Directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"The search index in '{options.Directory}' is already open in another process; only one process may write it.", e);
            }
        }

        foreach (var day in DaysOnDisk())
        {
            _days[day] = null;
        }

        _discoveredAt = _time.GetTimestamp();
    }

    public Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, CancellationToken ct) => UpsertAsync(events, null, ct);

    /// <summary>As the port's, and refuses no event: every event has a document.</summary>
    public Task<IReadOnlyList<RejectedEvent>> UpsertAsync(IReadOnlyList<LogEvent> events, IReadOnlyList<ReadOnlyMemory<byte>>? json, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (json is not null && json.Count != events.Count)
        {
            throw new ArgumentException($"{json.Count} JSON forms were given for {events.Count} events.", nameof(json));
        }

        ThrowIfReadOnly();
        ct.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var lanes = Math.Clamp(events.Count / MinEventsPerThread, 1, _lanes.Length);
            if (lanes == 1)
            {
                _lanes[0].Index(events, json, 0, 1);
            }
            else
            {
                try
                {
                    Parallel.For(0, lanes, new ParallelOptions { MaxDegreeOfParallelism = lanes }, lane => _lanes[lane].Index(events, json, lane, lanes));
                }
                catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                {
                    ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
                }
            }
        }

        return NoneRejected;
    }

    public Task FlushAsync(CancellationToken ct)
    {
        ThrowIfReadOnly();
        ct.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var partition in OpenedPartitions())
            {
                partition.Commit();
            }
        }

        return Task.CompletedTask;
    }

    public Task<SearchPage> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ThrowIfOutOfBounds();
        ct.ThrowIfCancellationRequested();
        var query = LogQueryBuilder.Build(request.Query);
        var after = request.After is null ? null : SearchCursor.Decode(request.Sort, request.After);
        using var snapshot = OpenSnapshot(request.Query);
        if (request.Size == 0)
        {
            return Task.FromResult(new SearchPage(snapshot.Count(query), [], null));
        }

        var end = request.From + request.Size;
        var top = request.Sort == SearchSort.SlowestFirst
            ? TopAcrossDays(snapshot, query, after, end + 1)
            : TopDayByDay(snapshot, query, after, end + 1, newestFirst: request.Sort == SearchSort.NewestFirst);
        var hits = new List<LogEvent>(Math.Max(0, Math.Min(end, top.Hits.Count) - request.From));
        var source = new SourceVisitor();
        for (var i = request.From; i < end && i < top.Hits.Count; i++)
        {
            top.Hits[i].Searcher.Doc(top.Hits[i].Hit.Doc, source);
            hits.Add(source.TakeEvent());
        }

        var next = top.Hits.Count > end ? SearchCursor.Encode(request.Sort, top.Hits[end - 1].Hit) : null;
        return Task.FromResult(new SearchPage(top.Total, hits, next));
    }

    /// <summary>Sorting by response time: one search over every day's reader.</summary>
    private static (long Total, List<(IndexSearcher Searcher, FieldDoc Hit)> Hits) TopAcrossDays(Snapshot snapshot, Query query, FieldDoc? after, int count)
    {
        var top = snapshot.Searcher.SearchAfter(after, query, null, count, SearchCursor.SortOf(SearchSort.SlowestFirst), false, false);
        return (top.TotalHits, [.. top.ScoreDocs.Select(d => (snapshot.Searcher, (FieldDoc)d))]);
    }

    /// <summary>
    /// Sorting by time: days hold disjoint time ranges, so they are searched one at a time in sort order and the
    /// search stops as soon as it has enough hits; the remaining days are only counted (a searched day's count comes
    /// with its hits). This keeps "newest 50 of everything" from sorting every event of every day.
    /// </summary>
    private static (long Total, List<(IndexSearcher Searcher, FieldDoc Hit)> Hits) TopDayByDay(Snapshot snapshot, Query query, FieldDoc? after, int count, bool newestFirst)
    {
        var sort = SearchCursor.SortOf(newestFirst ? SearchSort.NewestFirst : SearchSort.OldestFirst);
        var afterMs = after is null ? (long?)null : ((J2N.Numerics.Int64)after.Fields[0]).ToInt64();
        var hits = new List<(IndexSearcher, FieldDoc)>(count);
        long total = 0;
        foreach (var (day, searcher) in snapshot.Days(newestFirst))
        {
            var passed = afterMs is { } a && (newestFirst ? DayStartMs(day) > a : DayStartMs(day.AddDays(1)) <= a);
            if (hits.Count >= count || passed)
            {
                total += Snapshot.Count(searcher, query);
                continue;
            }

            var top = searcher.SearchAfter(after, query, null, count - hits.Count, sort, false, false);
            total += top.TotalHits;
            hits.AddRange(top.ScoreDocs.Select(d => (searcher, (FieldDoc)d)));
        }

        return (total, hits);
    }

    public Task<LogEvent?> GetAsync(string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(id);
        ct.ThrowIfCancellationRequested();
        using var snapshot = OpenSnapshot(new SearchQuery());
        var top = snapshot.Searcher.Search(new TermQuery(new Term(IndexFields.Id, id)), null, 1, SearchCursor.SortOf(SearchSort.NewestFirst), false, false);
        if (top.ScoreDocs.Length == 0)
        {
            return Task.FromResult<LogEvent?>(null);
        }

        var source = new SourceVisitor();
        snapshot.Searcher.Doc(top.ScoreDocs[0].Doc, source);
        return Task.FromResult<LogEvent?>(source.TakeEvent());
    }

    public Task<long> CountAsync(SearchQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ct.ThrowIfCancellationRequested();
        var lucene = LogQueryBuilder.Build(query);
        using var snapshot = OpenSnapshot(query);
        return Task.FromResult(snapshot.Count(lucene));
    }

    public Task<IReadOnlyList<TermCount>> TermsAsync(SearchQuery query, string field, int size, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (!IndexFields.IsKeyword(field))
        {
            throw new ArgumentException($"'{field}' is not a keyword field; terms can be counted on: {string.Join(", ", IndexFields.Keywords)}.", nameof(field));
        }

        var lucene = LogQueryBuilder.Build(query);
        using var snapshot = OpenSnapshot(query);
        var collector = new TermsCollector(field, ct);
        snapshot.Searcher.Search(lucene, collector);
        return Task.FromResult(collector.Top(size));
    }

    public Task<IReadOnlyList<TimeBucket>> DateHistogramAsync(SearchQuery query, TimeSpan interval, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(1));
        var lucene = LogQueryBuilder.Build(query);
        using var snapshot = OpenSnapshot(query);
        var collector = new HistogramCollector((long)interval.TotalMilliseconds, ct);
        snapshot.Searcher.Search(lucene, collector);
        return Task.FromResult(collector.Buckets());
    }

    public Task<long> DeleteAsync(SearchQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfReadOnly();
        ct.ThrowIfCancellationRequested();
        var lucene = LogQueryBuilder.Build(query);
        long deleted = 0;
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var day in DaysOverlapping(query))
            {
                deleted += Delete(OpenForWriting(day), lucene);
            }
        }

        return Task.FromResult(deleted);
    }

    public Task DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        ThrowIfReadOnly();
        ct.ThrowIfCancellationRequested();
        var cutoffDay = DayOf(cutoff);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            List<(DateOnly Day, DayPartition? Partition)> expired;
            bool cutoffDayExists;
            lock (_daysLock)
            {
                expired = [.. _days.Where(d => d.Key < cutoffDay).Select(d => (d.Key, d.Value))];
                foreach (var (day, _) in expired)
                {
                    _days.Remove(day);
                }

                cutoffDayExists = _days.ContainsKey(cutoffDay);
            }

            foreach (var (day, partition) in expired)
            {
                foreach (var lane in _lanes)
                {
                    lane.Forget(partition);
                }

                partition?.Dispose();
                DeleteFolder(PathOf(day));
            }

            var cutoffMs = cutoff.ToUnixTimeMilliseconds();
            if (cutoffDayExists && cutoffMs > DayStartMs(cutoffDay))
            {
                Delete(OpenForWriting(cutoffDay), new ConstantScoreQuery(DocValuesRangeFilter.ForInt64(LogFields.Timestamp, long.MinValue, cutoffMs - 1)));
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var partition in OpenedPartitions())
            {
                partition.Dispose();
            }

            _processLock?.Dispose();
        }
    }

    private static long Delete(DayPartition partition, Query query)
    {
        partition.Refresh();
        var reader = partition.Acquire(TimeSpan.MaxValue);
        long matching;
        try
        {
            var counter = new TotalHitCountCollector();
            new IndexSearcher(reader).Search(query, counter);
            matching = counter.TotalHits;
        }
        finally
        {
            partition.Release(reader);
        }

        if (matching > 0)
        {
            partition.Writer.DeleteDocuments(query);
            partition.Changed();
            partition.Refresh();
        }

        return matching;
    }

    /// <summary>
    /// Deletes an expired day's folder. A search that still reads it keeps its open files; where the platform
    /// refuses to delete open files, the folder is left for the next retention run.
    /// </summary>
    private static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static DateOnly DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);

    private static long DayStartMs(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static bool TryParseDay(string name, out DateOnly day) =>
        DateOnly.TryParseExact(name, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private string PathOf(DateOnly day) =>
        Path.Combine(_options.Directory, day.ToString(DayFormat, CultureInfo.InvariantCulture));

    private void ThrowIfReadOnly()
    {
        if (_options.ReadOnly)
        {
            throw new InvalidOperationException($"The search index in '{_options.Directory}' is written by the indexer process and this process only reads it.");
        }
    }

    /// <summary>
    /// The day's partition, opened on first use: for writing (its folder created), or read-only once the writer
    /// process has committed the day (null before that).
    /// </summary>
    private DayPartition? TryOpen(DateOnly day)
    {
        lock (_daysLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_days.TryGetValue(day, out var partition) && partition is not null)
            {
                return partition;
            }

            partition = _options.ReadOnly
                ? DayPartition.TryOpenForReading(day, PathOf(day), _time)
                : DayPartition.OpenForWriting(day, PathOf(day), _time);
            if (partition is not null)
            {
                _days[day] = partition;
            }

            return partition;
        }
    }

    /// <summary>The day's partition for a write (the write methods have refused a read-only store already).</summary>
    private DayPartition OpenForWriting(DateOnly day) =>
        TryOpen(day) ?? throw new InvalidOperationException($"The index of {day} could not be opened for writing.");

    private IEnumerable<DateOnly> DaysOnDisk()
    {
        foreach (var folder in Directory.EnumerateDirectories(_options.Directory))
        {
            if (TryParseDay(Path.GetFileName(folder), out var day))
            {
                yield return day;
            }
        }
    }

    /// <summary>
    /// Read-only: at most once per refresh interval, learns the days the writer process has created since and
    /// closes those its retention has removed.
    /// </summary>
    private void Rediscover()
    {
        if (!_options.ReadOnly || _time.GetElapsedTime(Interlocked.Read(ref _discoveredAt)) < _options.RefreshInterval)
        {
            return;
        }

        Interlocked.Exchange(ref _discoveredAt, _time.GetTimestamp());
        var onDisk = DaysOnDisk().ToHashSet();
        var removed = new List<DayPartition>();
        lock (_daysLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var day in onDisk)
            {
                _days.TryAdd(day, null);
            }

            foreach (var (day, partition) in _days.Where(d => !onDisk.Contains(d.Key)).ToList())
            {
                _days.Remove(day);
                if (partition is not null)
                {
                    removed.Add(partition);
                }
            }
        }

        // A search still reading a removed day keeps its reader; the partition only stops handing out new ones.
        removed.ForEach(p => p.Dispose());
    }

    private List<DayPartition> OpenedPartitions()
    {
        lock (_daysLock)
        {
            return [.. _days.Values.OfType<DayPartition>()];
        }
    }

    /// <summary>The days that can hold events of the query's time range.</summary>
    private List<DateOnly> DaysOverlapping(SearchQuery query)
    {
        var (min, max) = LogQueryBuilder.TimeBounds(query);
        lock (_daysLock)
        {
            return [.. _days.Keys.Where(day => DayStartMs(day) <= max && DayStartMs(day.AddDays(1)) > min)];
        }
    }

    private Snapshot OpenSnapshot(SearchQuery query)
    {
        Rediscover();
        var snapshot = new Snapshot();
        try
        {
            foreach (var day in DaysOverlapping(query))
            {
                if (TryOpen(day) is { } partition)
                {
                    snapshot.TryAdd(partition, _options.RefreshInterval);
                }
            }

            snapshot.Seal();
            return snapshot;
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    /// <summary>One indexing thread's share of an upsert batch: its own document builder and the partition it wrote last.</summary>
    private sealed class IndexingLane(LuceneSearchStore store, LogDocumentShape shape)
    {
        private readonly LogDocumentBuilder _documents = new(shape);
        private DayPartition? _lastWritten;

        /// <summary>
        /// Upserts the events whose id falls to lane <paramref name="lane"/> of <paramref name="lanes"/>: every copy
        /// of one id goes to the same lane, in batch order, so the last copy wins.
        /// </summary>
        public void Index(IReadOnlyList<LogEvent> events, IReadOnlyList<ReadOnlyMemory<byte>>? json, int lane, int lanes)
        {
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (lanes > 1 && (uint)string.GetHashCode(e.Id, StringComparison.Ordinal) % (uint)lanes != lane)
                {
                    continue;
                }

                var day = DayOf(e.Timestamp);
                var partition = _lastWritten?.Day == day ? _lastWritten : store.OpenForWriting(day);
                partition.Writer.UpdateDocument(new Term(IndexFields.Id, e.Id), _documents.Build(e, json?[i]));

                partition.Changed();
                _lastWritten = partition;
            }
        }

        /// <summary>Drops the reference to a partition that retention closed.</summary>
        public void Forget(DayPartition? partition)
        {
            if (partition is not null && partition == _lastWritten)
            {
                _lastWritten = null;
            }
        }
    }

    /// <summary>The readers of the days one search reads, held until the search ends.</summary>
    private sealed class Snapshot : IDisposable
    {
        private readonly List<(DayPartition Partition, DirectoryReader Reader)> _acquired = [];
        private MultiReader? _reader;

        public IndexSearcher Searcher { get; private set; } = null!;

        /// <summary>Adds the partition's current reader, unless retention closed the partition meanwhile.</summary>
        public void TryAdd(DayPartition partition, TimeSpan maxAge)
        {
            try
            {
                _acquired.Add((partition, partition.Acquire(maxAge)));
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Seal()
        {
            _reader = new MultiReader([.. _acquired.Select(a => (IndexReader)a.Reader)], closeSubReaders: false);
            Searcher = new IndexSearcher(_reader);
        }

        /// <summary>Each day's own searcher, newest or oldest day first.</summary>
        public IEnumerable<(DateOnly Day, IndexSearcher Searcher)> Days(bool newestFirst)
        {
            var days = newestFirst ? _acquired.OrderByDescending(a => a.Partition.Day) : _acquired.OrderBy(a => a.Partition.Day);
            return days.Select(a => (a.Partition.Day, new IndexSearcher(a.Reader)));
        }

        public long Count(Query query) => Count(Searcher, query);

        /// <summary>Matches of <paramref name="query"/> in what <paramref name="searcher"/> reads; no scan for "everything".</summary>
        public static long Count(IndexSearcher searcher, Query query)
        {
            if (query is MatchAllDocsQuery)
            {
                return searcher.IndexReader.NumDocs;
            }

            var counter = new TotalHitCountCollector();
            searcher.Search(query, counter);
            return counter.TotalHits;
        }

        public void Dispose()
        {
            _reader?.Dispose();
            foreach (var (partition, reader) in _acquired)
            {
                partition.Release(reader);
            }
        }
    }
}
