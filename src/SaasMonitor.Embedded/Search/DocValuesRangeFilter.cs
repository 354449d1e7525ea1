using System.Globalization;
using System.Text;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// Matches documents whose doc value lies in an inclusive range, read straight from doc values so that numbers
/// need no indexed trie terms. Documents without a value never match.
/// </summary>
internal sealed class DocValuesRangeFilter : Filter
{
    private readonly string _field;
    private readonly Func<AtomicReader, IBits?, int, DocIdSet?> _docIdSet;

    private DocValuesRangeFilter(string field, Func<AtomicReader, IBits?, int, DocIdSet?> docIdSet)
    {
        _field = field;
        _docIdSet = docIdSet;
    }

    /// <summary>Whole numbers in numeric doc values (e.g. epoch milliseconds).</summary>
    public static DocValuesRangeFilter ForInt64(string field, long min, long max) => new(field, (reader, acceptDocs, maxDoc) =>
    {
        var values = reader.GetNumericDocValues(field);
        var present = reader.GetDocsWithField(field);
        return values is null || present is null || min > max
            ? null
            : new FieldCacheDocIdSet(maxDoc, acceptDocs, doc => present.Get(doc) && values.Get(doc) is var v && v >= min && v <= max);
    });

    /// <summary>Doubles in numeric doc values (as written by a double doc-values field).</summary>
    public static DocValuesRangeFilter ForDouble(string field, double min, double max) => new(field, (reader, acceptDocs, maxDoc) =>
    {
        var values = reader.GetNumericDocValues(field);
        var present = reader.GetDocsWithField(field);
        return values is null || present is null || !(min <= max)
            ? null
            : new FieldCacheDocIdSet(maxDoc, acceptDocs, doc =>
                present.Get(doc) && BitConverter.Int64BitsToDouble(values.Get(doc)) is var v && v >= min && v <= max);
    });

    /// <summary>Keyword values that are whole numbers (e.g. status codes): each distinct value is parsed once per segment.</summary>
    public static DocValuesRangeFilter ForNumericKeyword(string field, long min, long max) => new(field, (reader, acceptDocs, maxDoc) =>
    {
        var values = reader.GetSortedDocValues(field);
        if (values is null || min > max)
        {
            return null;
        }

        var inRange = new bool[values.ValueCount];
        var term = new BytesRef();
        var any = false;
        for (var ord = 0; ord < inRange.Length; ord++)
        {
            values.LookupOrd(ord, term);
            inRange[ord] = long.TryParse(Encoding.UTF8.GetString(term.Bytes, term.Offset, term.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                && number >= min && number <= max;
            any |= inRange[ord];
        }

        return any ? new FieldCacheDocIdSet(maxDoc, acceptDocs, doc => values.GetOrd(doc) is var ord && ord >= 0 && inRange[ord]) : null;
    });

    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        var reader = context.AtomicReader;
        return _docIdSet(reader, acceptDocs, reader.MaxDoc);
    }

    public override string ToString() => $"DocValuesRange({_field})";
}
