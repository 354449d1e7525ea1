using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// The index of one UTC day: its own folder and readers, and in the writing process its writer. The writer takes
/// documents from the indexing threads of one upsert at a time; readers are acquired by any number of searches.
/// A read-only partition reads the writer process's commits and looks for a newer one at most once per refresh
/// interval.
/// </summary>
internal sealed class DayPartition : IDisposable
{
    private readonly FSDirectory _directory;
    private readonly IndexWriter? _writer;
    private readonly ReaderManager _readers;
    private readonly TimeProvider _time;
    private long _refreshedAt;
    private volatile bool _unrefreshed;
    private bool _uncommitted;

    private DayPartition(DateOnly day, string path, FSDirectory directory, IndexWriter? writer, ReaderManager readers, TimeProvider time)
    {
        Day = day;
        Path = path;
        _directory = directory;
        _writer = writer;
        _readers = readers;
        _time = time;
        _refreshedAt = time.GetTimestamp();
    }

    public DateOnly Day { get; }

    public string Path { get; }

    public IndexWriter Writer => _writer ?? throw new InvalidOperationException($"The index of {Day} is open read-only.");

    /// <summary>Opens the day's folder (creating it) with a writer and near-real-time readers over it.</summary>
    public static DayPartition OpenForWriting(DateOnly day, string path, TimeProvider time)
    {
        var directory = FSDirectory.Open(new DirectoryInfo(path));
        IndexWriter? writer = null;
        try
        {
            var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, SearchAnalyzers.Index)
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                RAMBufferSizeMB = 64,
            };
            writer = new IndexWriter(directory, config);
            return new DayPartition(day, path, directory, writer, new ReaderManager(writer, applyAllDeletes: true), time);
        }
        catch
        {
            writer?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Opens the day's committed index for reading, or returns null while the writer has not committed it yet.</summary>
    public static DayPartition? TryOpenForReading(DateOnly day, string path, TimeProvider time)
    {
        var directory = FSDirectory.Open(new DirectoryInfo(path));
        try
        {
            if (DirectoryReader.IndexExists(directory))
            {
                return new DayPartition(day, path, directory, writer: null, new ReaderManager(directory), time);
            }
        }
        catch (IOException)
        {
            // The writer is replacing its commit point or retention is removing the folder: try again at the next search.
        }

        directory.Dispose();
        return null;
    }

    /// <summary>Records that the writer changed the index; readers pick it up at the next refresh.</summary>
    public void Changed()
    {
        _unrefreshed = true;
        _uncommitted = true;
    }

    /// <summary>
    /// A reader no older than <paramref name="maxAge"/> (when there were changes, or always when read-only, since
    /// another process makes the changes); give it back with <see cref="Release"/>.
    /// </summary>
    public DirectoryReader Acquire(TimeSpan maxAge)
    {
        if ((_unrefreshed || _writer is null) && _time.GetElapsedTime(Interlocked.Read(ref _refreshedAt)) >= maxAge)
        {
            _unrefreshed = false;
            Interlocked.Exchange(ref _refreshedAt, _time.GetTimestamp());
            try
            {
                if (!_readers.MaybeRefresh())
                {
                    // Another search is refreshing and may have started before the latest change.
                    _unrefreshed = true;
                }
            }
            catch (IOException) when (_writer is null)
            {
                // The writer process is replacing its commit, or its retention is removing the day: keep the current
                // reader until the next refresh.
            }
        }

        return _readers.Acquire();
    }

    public void Release(DirectoryReader reader) => _readers.Release(reader);

    /// <summary>Makes every change searchable now.</summary>
    public void Refresh()
    {
        _unrefreshed = false;
        Interlocked.Exchange(ref _refreshedAt, _time.GetTimestamp());
        _readers.MaybeRefreshBlocking();
    }

    /// <summary>Makes every change durable and searchable.</summary>
    public void Commit()
    {
        if (_uncommitted)
        {
            _uncommitted = false;
            Writer.Commit();
        }

        Refresh();
    }

    public void Dispose()
    {
        _readers.Dispose();
        // Closing commits; a merge still running is abandoned and picked up again when the day is reopened.
        _writer?.Dispose(waitForMerges: false);
        _directory.Dispose();
    }
}
