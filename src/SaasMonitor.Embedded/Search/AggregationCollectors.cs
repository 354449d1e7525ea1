using System.Runtime.InteropServices;
using System.Text;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// Counts matching documents per value of a keyword field, by the ordinals of its sorted doc values, or of its
/// un-inverted terms where the field has no doc values (cached per segment by Lucene's field cache).
/// </summary>
internal sealed class TermsCollector(string field, CancellationToken ct) : ICollector
{
    private readonly List<(SortedDocValues Values, int[] Counts)> _segments = [];
    private SortedDocValues _values = DocValues.EMPTY_SORTED;
    private int[] _counts = [];

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        ct.ThrowIfCancellationRequested();
        _values = FieldCache.DEFAULT.GetTermsIndex(context.AtomicReader, field);
        _counts = new int[_values.ValueCount];
        _segments.Add((_values, _counts));
    }

    public void Collect(int doc)
    {
        if (_values.GetOrd(doc) is >= 0 and var ord)
        {
            _counts[ord]++;
        }
    }

    /// <summary>The <paramref name="size"/> most frequent values, most first, ties by value.</summary>
    public IReadOnlyList<TermCount> Top(int size)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var term = new BytesRef();
        foreach (var (values, counts) in _segments)
        {
            for (var ord = 0; ord < counts.Length; ord++)
            {
                if (counts[ord] > 0)
                {
                    values.LookupOrd(ord, term);
                    var key = Encoding.UTF8.GetString(term.Bytes, term.Offset, term.Length);
                    CollectionsMarshal.GetValueRefOrAddDefault(totals, key, out _) += counts[ord];
                }
            }
        }

        return [.. totals
            .OrderByDescending(t => t.Value)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .Take(size)
            .Select(t => new TermCount(t.Key, t.Value))];
    }
}

/// <summary>
/// Counts matching documents per fixed interval of their time, intervals aligned to the Unix epoch. Documents
/// arrive mostly in time order, so counts accumulate in the current interval and reach the dictionary once per run.
/// </summary>
internal sealed class HistogramCollector(long intervalMs, CancellationToken ct) : ICollector
{
    private readonly Dictionary<long, long> _counts = [];
    private NumericDocValues? _timestamps;
    private IBits? _present;
    private long _runInterval;
    private long _runCount;

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        ct.ThrowIfCancellationRequested();
        _timestamps = context.AtomicReader.GetNumericDocValues(LogFields.Timestamp);
        _present = context.AtomicReader.GetDocsWithField(LogFields.Timestamp);
    }

    public void Collect(int doc)
    {
        if (_timestamps is null || _present?.Get(doc) != true)
        {
            return;
        }

        var interval = Math.DivRem(_timestamps.Get(doc), intervalMs, out var rest) - (rest < 0 ? 1 : 0);
        if (interval != _runInterval)
        {
            EndRun();
            _runInterval = interval;
        }

        _runCount++;
    }

    /// <summary>The non-empty intervals, oldest first.</summary>
    public IReadOnlyList<TimeBucket> Buckets()
    {
        EndRun();
        return [.. _counts.OrderBy(c => c.Key).Select(c => new TimeBucket(DateTimeOffset.FromUnixTimeMilliseconds(c.Key * intervalMs), c.Value))];
    }

    private void EndRun()
    {
        if (_runCount > 0)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_counts, _runInterval, out _) += _runCount;
            _runCount = 0;
        }
    }
}
