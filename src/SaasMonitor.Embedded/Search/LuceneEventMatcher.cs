using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// Indexes a batch in memory with the store's own document mapping and runs the store's own query parser over it, so
/// a live filter matches exactly what a search would. One small index per batch, shared by every query: the cost is
/// per batch and per distinct query, not per event and subscriber.
/// </summary>
public sealed class LuceneEventMatcher : IEventMatcher
{
    private readonly System.Threading.Lock _gate = new();
    private readonly LogDocumentBuilder _documents = new(LogDocumentShape.WithoutSource);

    public IReadOnlyList<IReadOnlyList<LogEvent>> Match(IReadOnlyList<LogEvent> batch, IReadOnlyList<string> queries)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(queries);
        var parsed = queries.Select(LogQueryParser.ParseText).ToList();
        if (batch.Count == 0 || parsed.TrueForAll(q => q is null))
        {
            return [.. parsed.Select(_ => batch)];
        }

        using var directory = new RAMDirectory();
        lock (_gate)
        {
            using var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, SearchAnalyzers.Index) { RAMBufferSizeMB = 16 });
            foreach (var e in batch)
            {
                writer.AddDocument(_documents.Build(e));
            }

            writer.ForceMerge(1);
        }

        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader);
        return [.. parsed.Select(query => query is null ? batch : Matching(searcher, query, batch))];
    }

    private static List<LogEvent> Matching(IndexSearcher searcher, Query query, IReadOnlyList<LogEvent> batch)
    {
        var collector = new DocCollector();
        searcher.Search(query, collector);
        collector.Docs.Sort();
        return [.. collector.Docs.Select(doc => batch[doc])];
    }

    /// <summary>The matching document numbers: with one segment written in batch order, document n is event n.</summary>
    private sealed class DocCollector : ICollector
    {
        private int _base;

        public List<int> Docs { get; } = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
        }

        public void Collect(int doc) => Docs.Add(_base + doc);

        public void SetNextReader(AtomicReaderContext context) => _base = context.DocBase;
    }
}
