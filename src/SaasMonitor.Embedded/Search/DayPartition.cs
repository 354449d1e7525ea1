using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// The index of one UTC day: its own folder, writer and near-real-time reader. The writer takes documents from
/// the indexing threads of one upsert at a time; readers are acquired by any number of searches.
/// </summary>
internal sealed class DayPartition : IDisposable
{
    private readonly FSDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly ReaderManager _readers;
    private readonly TimeProvider _time;
    private long _refreshedAt;
    private volatile bool _unrefreshed;
    private bool _uncommitted;

    public DayPartition(DateOnly day, string path, TimeProvider time)
    {
        Day = day;
        Path = path;
        _time = time;
        _directory = FSDirectory.Open(new DirectoryInfo(path));
        try
        {
            var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, SearchAnalyzers.Index)
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                RAMBufferSizeMB = 64,
            };
            _writer = new IndexWriter(_directory, config);
            _readers = new ReaderManager(_writer, applyAllDeletes: true);
        }
        catch
        {
            _writer?.Dispose();
            _directory.Dispose();
            throw;
        }

        _refreshedAt = time.GetTimestamp();
    }

    public DateOnly Day { get; }

    public string Path { get; }

    public IndexWriter Writer => _writer;

    /// <summary>Records that the writer changed the index; readers pick it up at the next refresh.</summary>
    public void Changed()
    {
        _unrefreshed = true;
        _uncommitted = true;
    }

    /// <summary>A reader no older than <paramref name="maxAge"/> (when there were changes); give it back with <see cref="Release"/>.</summary>
    public DirectoryReader Acquire(TimeSpan maxAge)
    {
        if (_unrefreshed && _time.GetElapsedTime(Interlocked.Read(ref _refreshedAt)) >= maxAge)
        {
            _unrefreshed = false;
            Interlocked.Exchange(ref _refreshedAt, _time.GetTimestamp());
            if (!_readers.MaybeRefresh())
            {
                // Another search is refreshing and may have started before the latest change.
                _unrefreshed = true;
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
            _writer.Commit();
        }

        Refresh();
    }

    public void Dispose()
    {
        _readers.Dispose();
        // Closing commits; a merge still running is abandoned and picked up again when the day is reopened.
        _writer.Dispose(waitForMerges: false);
        _directory.Dispose();
    }
}
