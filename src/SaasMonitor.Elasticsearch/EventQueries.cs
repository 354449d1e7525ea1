using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.QueryDsl;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Elasticsearch;

/// <summary>
/// A <see cref="SearchQuery"/> in Elasticsearch's query DSL: the text as a <c>query_string</c> query (the same Lucene
/// syntax as the embedded index: bare words search message, endpoint and server; slashes are literal) and every
/// structured filter as a filter clause. The user's text is a value of the request, never part of its JSON.
/// </summary>
internal static class EventQueries
{
    private static readonly Field[] DefaultFields = [LogFields.Message, LogFields.Endpoint, LogFields.Server];

    public static Query For(SearchQuery query)
    {
        var must = new List<Query>();
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            must.Add(new QueryStringQuery(SearchSyntax.EscapeSlashes(query.Text))
            {
                Fields = DefaultFields,
                DefaultOperator = Operator.Or,
                AllowLeadingWildcard = true,
            });
        }

        var filter = new List<Query>();
        AddTerms(filter, LogFields.Level, query.Levels?.Select(l => LogLevels.Normalize(l) ?? l.ToUpperInvariant()).ToList());
        AddTerms(filter, LogFields.Service, query.Services);
        AddTerms(filter, LogFields.Endpoint, query.Endpoints);
        AddTerms(filter, LogFields.Server, query.Servers);
        AddTerms(filter, LogFields.FileId, query.FileId is null ? null : [query.FileId]);
        if (query.StatusClasses is { Count: > 0 } classes)
        {
            filter.Add(new BoolQuery
            {
                Should = [.. classes.Select(c => (Query)new NumberRangeQuery(LogFields.StatusCode) { Gte = c * 100, Lte = (c * 100) + 99 })],
                MinimumShouldMatch = 1,
            });
        }

        if (query.From is not null || query.To is not null)
        {
            filter.Add(TimeRange(query.From, query.To));
        }

        return must.Count == 0 && filter.Count == 0 ? new MatchAllQuery() : new BoolQuery { Must = must, Filter = filter };
    }

    /// <summary>Events at or after <paramref name="from"/> and before <paramref name="to"/>, in epoch milliseconds as the embedded index compares them.</summary>
    public static Query TimeRange(DateTimeOffset? from, DateTimeOffset? to) => new NumberRangeQuery(EventIndexTemplate.Time)
    {
        Gte = from?.ToUnixTimeMilliseconds(),
        Lt = to?.ToUnixTimeMilliseconds(),
    };

    private static void AddTerms(List<Query> filter, string field, IReadOnlyList<string>? values)
    {
        if (values is { Count: > 0 })
        {
            filter.Add(new TermsQuery(field, new TermsQueryField([.. values.Select(FieldValue.String)])));
        }
    }
}
