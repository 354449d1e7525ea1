using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

public class EndpointTemplateTests
{
    [Theory]
    [InlineData("/api/users/105", "/api/users/{id}")]
    [InlineData("/api/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items/7?expand=1", "/api/orders/{id}/items/{id}?expand=1")]
    [InlineData("/blobs/9f86d081884c7d65", "/blobs/{id}")]
    [InlineData("/api/users", "/api/users")]
    [InlineData("/api/v2/deadbeefcafe", "/api/v2/deadbeefcafe")]
    [InlineData("/static/app-2013.css", "/static/app-2013.css")]
    public void Id_segments_become_a_placeholder_and_other_segments_stay(string endpoint, string template)
    {
        EndpointTemplates.Apply(endpoint).Should().Be(template);
    }

    [Fact]
    public void An_event_groups_by_the_template_and_keeps_the_path_as_written()
    {
        var e = ParserRun.Of("""{"timestamp":"2025-01-01T00:00:00Z","endpoint":"/api/users/105","status_code":200}""", RawFormat.Json).Single();

        e.Endpoint.Should().Be("/api/users/{id}");
        e.Extra.Should().Contain("raw_endpoint", "/api/users/105");
    }
}
