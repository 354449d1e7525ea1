using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Util;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// Lucene classic query syntax over the log fields: bare words search message, endpoint and server; keyword
/// fields match exactly (level in any case); range syntax on @timestamp, response_time_ms and status_code is
/// numeric. Forward slashes are ordinary characters (so <c>endpoint:/api/users</c> works); /regex/ is not supported.
/// Not thread-safe: create one per query.
/// </summary>
internal sealed class LogQueryParser : MultiFieldQueryParser
{
    private static readonly string[] DefaultFields = [LogFields.Message, LogFields.Endpoint, LogFields.Server];

    private LogQueryParser()
        : base(LuceneVersion.LUCENE_48, DefaultFields, SearchAnalyzers.Query)
    {
        AllowLeadingWildcard = true;
        LowercaseExpandedTerms = false;
    }

    /// <summary>The query for <paramref name="text"/>, or null when it is empty.</summary>
    /// <exception cref="InvalidQueryException">The text is not valid syntax or names an unknown field.</exception>
    public static Query? ParseText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return new LogQueryParser().Parse(SearchSyntax.EscapeSlashes(text));
        }
        catch (ParseException e)
        {
            throw new InvalidQueryException(e.Message, e);
        }
    }

    protected override Query GetFieldQuery(string field, string queryText, bool quoted)
    {
        if (field is null)
        {
            return base.GetFieldQuery(field!, queryText, quoted);
        }

        Check(field);
        if (IndexFields.IsNumeric(field) && field != LogFields.StatusCode)
        {
            return NumericRange(field, queryText, queryText, true, true);
        }

        return base.GetFieldQuery(field, field == LogFields.Level ? NormalizeLevel(queryText) : queryText, quoted);
    }

    /// <summary>
    /// A quoted value: the multi-field parser hands it to the analyzer directly, so numeric fields and levels are
    /// routed here as unquoted values are (<c>@timestamp:"2026-12-01T12:00:01Z"</c> is that instant).
    /// </summary>
    protected override Query GetFieldQuery(string field, string queryText, int slop) =>
        field is not null && (IndexFields.IsNumeric(field) || field == LogFields.Level)
            ? GetFieldQuery(field, queryText, quoted: true)
            : base.GetFieldQuery(field!, queryText, slop);

    protected override Query GetRangeQuery(string field, string part1, string part2, bool startInclusive, bool endInclusive)
    {
        if (field is null)
        {
            return base.GetRangeQuery(field!, part1, part2, startInclusive, endInclusive);
        }

        Check(field);
        return IndexFields.IsNumeric(field)
            ? NumericRange(field, part1, part2, startInclusive, endInclusive)
            : base.GetRangeQuery(field, ForTerm(field, part1), ForTerm(field, part2), startInclusive, endInclusive);
    }

    protected override Query GetWildcardQuery(string field, string termStr)
    {
        if (field is null or "*")
        {
            return base.GetWildcardQuery(field!, termStr);
        }

        Check(field);
        return base.GetWildcardQuery(field, ForTerm(field, termStr));
    }

    protected override Query GetPrefixQuery(string field, string termStr)
    {
        if (field is null)
        {
            return base.GetPrefixQuery(field!, termStr);
        }

        Check(field);
        return base.GetPrefixQuery(field, ForTerm(field, termStr));
    }

    protected override Query GetFuzzyQuery(string field, string termStr, float minSimilarity)
    {
        if (field is null)
        {
            return base.GetFuzzyQuery(field!, termStr, minSimilarity);
        }

        Check(field);
        return base.GetFuzzyQuery(field, ForTerm(field, termStr), minSimilarity);
    }

    protected override Query GetRegexpQuery(string field, string termStr) =>
        throw new ParseException("Regular expressions (/.../) are not supported; escape the slash or quote the value.");

    /// <summary>A group of only negative clauses matches everything except them, as in Elasticsearch.</summary>
    protected override Query GetBooleanQuery(IList<BooleanClause> clauses, bool disableCoord)
    {
        var query = base.GetBooleanQuery(clauses, disableCoord);
        if (query is BooleanQuery boolean && boolean.Clauses.Count > 0 && boolean.Clauses.All(c => c.IsProhibited))
        {
            boolean.Add(new MatchAllDocsQuery(), Occur.MUST);
        }

        return query;
    }

    private static void Check(string field)
    {
        if (!IndexFields.IsSearchable(field))
        {
            throw new ParseException($"Unknown field '{field}'. Searchable fields: {string.Join(", ", SearchableFieldNames)}.");
        }
    }

    private static IEnumerable<string> SearchableFieldNames =>
        [LogFields.Timestamp, LogFields.Message, LogFields.ResponseTimeMs, .. IndexFields.Keywords];

    /// <summary>Wildcard, prefix, fuzzy and range terms skip analysis: fold them the way the field was indexed.</summary>
    private static string ForTerm(string field, string term) => field switch
    {
        LogFields.Message => term.ToLowerInvariant(),
        LogFields.Level => term.ToUpperInvariant(),
        _ => term,
    };

    private static string NormalizeLevel(string text) => LogLevels.Normalize(text) ?? text.ToUpperInvariant();

    private static Query NumericRange(string field, string? lower, string? upper, bool lowerInclusive, bool upperInclusive)
    {
        Filter filter;
        if (field == LogFields.ResponseTimeMs)
        {
            var min = ParseDouble(field, lower) ?? double.NegativeInfinity;
            var max = ParseDouble(field, upper) ?? double.PositiveInfinity;
            filter = DocValuesRangeFilter.ForDouble(
                field,
                lowerInclusive ? min : Math.BitIncrement(min),
                upperInclusive ? max : Math.BitDecrement(max));
        }
        else
        {
            var parse = field == LogFields.Timestamp ? ParseTime : (Func<string, string?, long?>)ParseInteger;
            var min = parse(field, lower) ?? long.MinValue;
            var max = parse(field, upper) ?? long.MaxValue;
            var inclusiveMin = lowerInclusive || min == long.MaxValue ? min : min + 1;
            var inclusiveMax = upperInclusive || max == long.MinValue ? max : max - 1;
            filter = field == LogFields.Timestamp
                ? DocValuesRangeFilter.ForInt64(field, inclusiveMin, inclusiveMax)
                : DocValuesRangeFilter.ForNumericKeyword(field, inclusiveMin, inclusiveMax);
        }

        return new ConstantScoreQuery(filter);
    }

    private static bool IsOpen(string? bound) => bound is null or "*";

    private static double? ParseDouble(string field, string? text) =>
        IsOpen(text) ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ParseException($"'{text}' is not a number ({field}).");

    private static long? ParseInteger(string field, string? text) =>
        IsOpen(text) ? null
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ParseException($"'{text}' is not an integer ({field}).");

    /// <summary>An ISO 8601 date or date-time (UTC unless it carries an offset), or Unix milliseconds.</summary>
    private static long? ParseTime(string field, string? text) =>
        IsOpen(text) ? null
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUnixTimeMilliseconds()
        : throw new ParseException($"'{text}' is not a date-time ({field}): use ISO 8601, quoted when it has colons, or Unix milliseconds.");
}

/// <summary>The analyzers of the log fields: StandardAnalyzer (no stop words) for message, keywords untouched.</summary>
internal static class SearchAnalyzers
{
    /// <summary>Indexes the message; keyword fields are untokenised and never reach an analyzer.</summary>
    public static Analyzer Index { get; } = new StandardAnalyzer(LuceneVersion.LUCENE_48, CharArraySet.Empty);

    /// <summary>Analyses query text per field, so that <c>level:ERROR</c> stays one exact term.</summary>
    public static Analyzer Query { get; } = CreateQueryAnalyzer();

    private static PerFieldAnalyzerWrapper CreateQueryAnalyzer()
    {
        var keyword = new KeywordAnalyzer();
        return new PerFieldAnalyzerWrapper(Index, IndexFields.Keywords.ToDictionary(f => f, Analyzer (_) => keyword));
    }
}
