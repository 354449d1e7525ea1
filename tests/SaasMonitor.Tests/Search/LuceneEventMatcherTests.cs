using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;

namespace SaasMonitor.Tests.Search;

/// <summary>The live tail's filter answers a query over arriving events as the search store answers it over indexed ones.</summary>
public sealed class LuceneEventMatcherTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly LogEvent[] Batch =
    [
        Event("a", LogLevels.Error, "billing", "/api/orders", 502, 1800, "payment gateway timeout"),
        Event("b", LogLevels.Info, "billing", "/api/orders", 200, 40, "order placed"),
        Event("c", LogLevels.Warning, "web", "/api/users", 404, 12, "user not found"),
        Event("d", LogLevels.Error, "web", "/api/users", 500, 950, "database timeout"),
    ];

    [Theory]
    [InlineData("level:ERROR", "a,d")]
    [InlineData("level:error", "a,d")]
    [InlineData("timeout", "a,d")]
    [InlineData("service:billing AND NOT level:ERROR", "b")]
    [InlineData("endpoint:\"/api/users\" AND status_code:[500 TO 599]", "d")]
    [InlineData("response_time_ms:[900 TO *]", "a,d")]
    [InlineData("message:\"order placed\"", "b")]
    [InlineData("serv*", "")]
    [InlineData("", "a,b,c,d")]
    public void Matches_what_a_search_would(string query, string expected)
    {
        var matched = new LuceneEventMatcher().Match(Batch, [query]);

        matched.Should().ContainSingle();
        string.Join(',', matched[0].Select(e => e.Id)).Should().Be(expected);
    }

    [Fact]
    public void Answers_several_queries_over_one_batch_in_batch_order()
    {
        var matched = new LuceneEventMatcher().Match(Batch, ["service:web", "level:ERROR", ""]);

        matched.Select(m => string.Join(',', m.Select(e => e.Id))).Should().Equal("c,d", "a,d", "a,b,c,d");
    }

    [Fact]
    public void Refuses_bad_syntax_and_unknown_fields_with_the_search_stores_reason()
    {
        var matcher = new LuceneEventMatcher();

        matcher.Invoking(m => m.Match(Batch, ["level:(ERROR"])).Should().Throw<InvalidQueryException>();
        matcher.Invoking(m => m.Match([], ["colour:red"])).Should().Throw<InvalidQueryException>().WithMessage("*Unknown field 'colour'*");
    }

    private static LogEvent Event(string id, string level, string service, string endpoint, int status, double ms, string message) => new()
    {
        Id = id,
        Timestamp = At,
        Level = level,
        Service = service,
        Endpoint = endpoint,
        StatusCode = status,
        ResponseTimeMs = ms,
        Message = message,
    };
}
