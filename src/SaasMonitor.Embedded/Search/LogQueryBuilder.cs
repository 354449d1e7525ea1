using Lucene.Net.Queries;
using Lucene.Net.Search;
using Lucene.Net.Util;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>Turns a <see cref="SearchQuery"/> into one Lucene query: the parsed text and every structured filter must match.</summary>
internal static class LogQueryBuilder
{
    /// <exception cref="InvalidQueryException">The query text is not valid.</exception>
    public static Query Build(SearchQuery query)
    {
        var all = new BooleanQuery();
        if (LogQueryParser.ParseText(query.Text) is { } text)
        {
            all.Add(text, Occur.MUST);
        }

        AddTerms(all, LogFields.Level, query.Levels?.Select(l => LogLevels.Normalize(l) ?? l.ToUpperInvariant()).ToList());
        AddTerms(all, LogFields.Service, query.Services);
        AddTerms(all, LogFields.Endpoint, query.Endpoints);
        AddTerms(all, LogFields.Server, query.Servers);
        AddTerms(all, IndexFields.StatusClass, query.StatusClasses?.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
        AddTerms(all, LogFields.FileId, query.FileId is null ? null : [query.FileId]);
        if (query.From is not null || query.To is not null)
        {
            var (min, max) = TimeBounds(query);
            all.Add(new ConstantScoreQuery(DocValuesRangeFilter.ForInt64(LogFields.Timestamp, min, max)), Occur.MUST);
        }

        return all.Clauses.Count switch
        {
            0 => new MatchAllDocsQuery(),
            1 when all.Clauses[0].Occur == Occur.MUST => all.Clauses[0].Query,
            _ => all,
        };
    }

    /// <summary>The query's time range as inclusive epoch milliseconds.</summary>
    public static (long Min, long Max) TimeBounds(SearchQuery query) => (
        query.From?.ToUnixTimeMilliseconds() ?? long.MinValue,
        query.To is { } to ? to.ToUnixTimeMilliseconds() - 1 : long.MaxValue);

    private static void AddTerms(BooleanQuery all, string field, IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return;
        }

        var terms = new BytesRef[values.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            terms[i] = new BytesRef(values[i]);
        }

        all.Add(new ConstantScoreQuery(new TermsFilter(field, terms)), Occur.MUST);
    }
}
