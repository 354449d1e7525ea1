using Dashboard.Web.Components;

namespace SaasMonitor.Tests.Dashboard;

public sealed class ResultColumnTests
{
    [Theory]
    [InlineData("message, nope,level,,@timestamp", new[] { "@timestamp", "level", "message" })]
    [InlineData("", new string[0])]
    [InlineData(null, new string[0])]
    public void Stored_columns_keep_the_table_order_and_drop_unknown_keys(string? stored, string[] columns)
    {
        ResultColumn.Parse(stored).Should().Equal(columns);
    }
}
