using System.Collections.Frozen;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>How the fields of <see cref="LogFields"/> are held in the index, plus the index's own fields.</summary>
internal static class IndexFields
{
    /// <summary>The event id: indexed term (upsert key) and sorted doc values (tie-break of every sort).</summary>
    public const string Id = "id";

    /// <summary>The whole event as UTF-8 JSON, the only stored field.</summary>
    public const string Source = "_source";

    /// <summary>First digit of the status code ("2", "4", "5"), for status-class filters.</summary>
    public const string StatusClass = "status_class";

    /// <summary>Keyword fields, each held as one untokenised term.</summary>
    public static readonly IReadOnlyList<string> Keywords = [.. LogFields.Keywords, LogFields.StatusCode];

    private static readonly FrozenSet<string> DocValuesSet = new[]
    {
        Id, LogFields.Level, LogFields.Service, LogFields.Server, LogFields.Endpoint, LogFields.Method, LogFields.StatusCode,
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> KeywordSet = Keywords.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Fields whose values are numbers in doc values; range syntax on them becomes a doc-values filter.</summary>
    public static bool IsNumeric(string field) =>
        field is LogFields.Timestamp or LogFields.ResponseTimeMs or LogFields.StatusCode;

    public static bool IsKeyword(string field) => KeywordSet.Contains(field);

    /// <summary>
    /// Keywords that also carry sorted doc values: the id (tie-break of every sort) and the fields dashboards count,
    /// sort or range over. The others (addresses, user, tenant and trace ids, sources) are only matched; counting
    /// their terms un-inverts the index once per segment.
    /// </summary>
    public static bool HasDocValues(string field) => DocValuesSet.Contains(field);

    /// <summary>Fields a query may name.</summary>
    public static bool IsSearchable(string field) =>
        field is LogFields.Message or LogFields.Timestamp or LogFields.ResponseTimeMs || IsKeyword(field);
}
