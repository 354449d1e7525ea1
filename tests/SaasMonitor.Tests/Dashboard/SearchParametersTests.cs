using Dashboard.Web;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Tests.Dashboard;

public sealed class SearchParametersTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void No_parameters_mean_all_events_newest_first_on_the_first_page()
    {
        var p = Parse("");

        p.Query.Should().BeEquivalentTo(new SearchQuery());
        p.Sort.Should().Be(SearchSort.NewestFirst);
        (p.Page, p.PageSize, p.Cursor).Should().Be((1, SearchParameters.DefaultPageSize, (string?)null));
    }

    [Fact]
    public void List_parameters_may_be_comma_separated_repeated_or_both()
    {
        var p = Parse("?level=error,%20warning&level=critical&service=api,,web&service=auth&endpoint=/api/users&server=prod-1,prod-2");

        p.Query.Levels.Should().Equal("ERROR", "WARNING", "CRITICAL");
        p.Query.Services.Should().Equal("api", "web", "auth");
        p.Query.Endpoints.Should().Equal("/api/users");
        p.Query.Servers.Should().Equal("prod-1", "prod-2");
    }

    [Fact]
    public void Status_classes_are_written_as_2xx_or_as_a_digit()
    {
        Parse("?status=2xx,5XX&status=4").Query.StatusClasses.Should().Equal(2, 5, 4);
    }

    [Theory]
    [InlineData("bad")]
    [InlineData("6xx")]
    [InlineData("0")]
    [InlineData("20")]
    [InlineData("2xxx")]
    public void A_status_that_is_not_a_class_is_refused(string status)
    {
        var act = () => Parse("?status=" + status);

        act.Should().Throw<ArgumentException>().WithMessage($"*status*'{status}'*");
    }

    [Theory]
    [InlineData("now-15m", 0, 15, 0)]
    [InlineData("now-24h", 0, 24 * 60, 0)]
    [InlineData("now-7d", 7, 0, 0)]
    [InlineData("now-30s", 0, 0, 30)]
    [InlineData("NOW-2H", 0, 120, 0)]
    [InlineData("now", 0, 0, 0)]
    public void Relative_times_count_back_from_now(string value, int days, int minutes, int seconds)
    {
        var p = Parse($"?from={value}&to=now");

        p.Query.From.Should().Be(Now - new TimeSpan(days, 0, minutes, seconds));
        p.Query.To.Should().Be(Now);
    }

    [Fact]
    public void Iso_times_keep_their_zone_and_a_time_without_a_zone_is_utc()
    {
        var p = Parse("?from=2024-01-15T10:30:00%2B02:00&to=2024-01-15T10:30:00");

        p.Query.From.Should().Be(new DateTimeOffset(2024, 1, 15, 8, 30, 0, TimeSpan.Zero));
        p.Query.To.Should().Be(new DateTimeOffset(2024, 1, 15, 10, 30, 0, TimeSpan.Zero));
        p.Query.To!.Value.Offset.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("now-15")]
    [InlineData("now-15w")]
    [InlineData("now+1h")]
    public void A_time_that_is_neither_iso_nor_relative_is_refused_naming_the_parameter(string value)
    {
        var act = () => Parse("?to=" + Uri.EscapeDataString(value));

        act.Should().Throw<ArgumentException>().WithMessage($"to must be*'{value}'*");
    }

    [Fact]
    public void Pages_reach_10000_hits_without_a_cursor_and_no_further()
    {
        Parse("?page=200&page_size=50").ToRequest().From.Should().Be(9950);

        var act = () => Parse("?page=201&page_size=50");
        act.Should().Throw<ArgumentException>().WithMessage("*10000*next_cursor*");
    }

    [Fact]
    public void A_cursor_replaces_the_page_offset()
    {
        var request = Parse("?page=500&page_size=100&cursor=abc").ToRequest();

        (request.From, request.After, request.Size).Should().Be((0, "abc", 100));
    }

    [Theory]
    [InlineData("?page=0")]
    [InlineData("?page_size=0")]
    [InlineData("?page_size=1001")]
    [InlineData("?page=two")]
    [InlineData("?page_size=-5")]
    public void Pages_and_page_sizes_out_of_range_are_refused(string query)
    {
        var act = () => Parse(query);

        act.Should().Throw<ArgumentException>().WithMessage("*page*");
    }

    [Theory]
    [InlineData("newest", SearchSort.NewestFirst)]
    [InlineData("desc", SearchSort.NewestFirst)]
    [InlineData("oldest", SearchSort.OldestFirst)]
    [InlineData("ASC", SearchSort.OldestFirst)]
    [InlineData("Slowest", SearchSort.SlowestFirst)]
    public void Sort_names_choose_the_order(string name, SearchSort sort)
    {
        Parse("?sort=" + name).ToRequest().Sort.Should().Be(sort);
    }

    [Fact]
    public void An_unknown_sort_is_refused_naming_the_choices()
    {
        var act = () => Parse("?sort=fastest");

        act.Should().Throw<ArgumentException>().WithMessage("sort must be newest, oldest or slowest, not 'fastest'.");
    }

    [Fact]
    public void Filters_are_recorded_in_the_form_they_can_be_sent_again()
    {
        var filters = Parse("?level=error&service=api,web&status=5&from=now-1h&file_id=f1").Filters();

        filters.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["level"] = "ERROR",
            ["service"] = "api,web",
            ["status"] = "5xx",
            ["file_id"] = "f1",
            ["from"] = "2024-06-01T11:00:00.0000000+00:00",
        });
        Parse(filters.Aggregate("?", (q, f) => $"{q}{f.Key}={Uri.EscapeDataString(f.Value)}&")).Query.Should()
            .BeEquivalentTo(Parse("?level=error&service=api,web&status=5&from=now-1h&file_id=f1").Query);
    }

    private static SearchParameters Parse(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        return SearchParameters.From(context.Request, Now);
    }
}
