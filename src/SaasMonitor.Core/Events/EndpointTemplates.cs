namespace SaasMonitor.Core.Events;

/// <summary>
/// The template of an endpoint for KPIs, charts and alerts: path segments that are ids become <c>{id}</c>
/// (<c>/api/users/105</c> → <c>/api/users/{id}</c>): numbers, UUIDs, and hex ids of 8 characters or more that hold a
/// digit. The query string is kept; other segments are kept as they are.
/// </summary>
public static class EndpointTemplates
{
    public const string IdSegment = "{id}";
    private const int ShortestHexId = 8;
    private const int UuidLength = 36;

    /// <summary>The templated endpoint, or <paramref name="endpoint"/> itself (the same instance) when no segment is an id.</summary>
    public static string Apply(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var queryStart = endpoint.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? endpoint.AsSpan() : endpoint.AsSpan(0, queryStart);
        if (!HasIdSegment(path))
        {
            return endpoint;
        }

        var result = new System.Text.StringBuilder(endpoint.Length);
        foreach (var range in path.Split('/'))
        {
            if (range.Start.Value > 0)
            {
                result.Append('/');
            }

            var segment = path[range];
            result.Append(IsId(segment) ? IdSegment : segment);
        }

        return result.Append(endpoint.AsSpan(path.Length)).ToString();
    }

    private static bool HasIdSegment(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            if (IsId(path[range]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsId(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty)
        {
            return false;
        }

        if (!segment.ContainsAnyExceptInRange('0', '9'))
        {
            return true;
        }

        if (segment.Length < ShortestHexId)
        {
            return false;
        }

        return segment.Length == UuidLength
            ? Guid.TryParseExact(segment, "D", out _)
            : !segment.ContainsAnyExcept(HexDigits) && segment.ContainsAnyInRange('0', '9');
    }

    private static System.Buffers.SearchValues<char> HexDigits { get; } = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
