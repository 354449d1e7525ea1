using System.Net;

namespace SaasMonitor.EndToEnd;

/// <summary>Stopping the server and starting it again on the same data keeps everything.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_restart_keeps_events_kpis_files_and_saved_searches()
    {
        var host = await InProcessHost.StartAsync();
        try
        {
            var upload = await host.UploadAsync("test_upload.csv", await File.ReadAllBytesAsync(TestData.PathOf("seed-format", "test_upload.csv")));
            upload.StatusCode.Should().Be(HttpStatusCode.Created);
            (await host.IngestAsync("""{"service":"restart","level":"error","message":"before restart","response_time_ms":40}""", "application/json"))
                .StatusCode.Should().Be(HttpStatusCode.Accepted);
            (await host.Client.PostAsync("/api/saved-searches", new StringContent("""{"name":"errors","query":"level:ERROR"}""", System.Text.Encoding.UTF8, "application/json")))
                .StatusCode.Should().Be(HttpStatusCode.Created);
            await Eventually.HoldsAsync(
                async () => await host.TotalAsync("") == 4 && (await host.GetJsonAsync("/api/stats")).GetProperty("total_logs").GetInt64() == 4,
                TimeSpan.FromSeconds(30),
                "4 events searchable and counted");
            var statsBefore = (await host.GetJsonAsync("/api/stats")).GetRawText();

            host = await host.RestartAsync();

            (await host.TotalAsync("")).Should().Be(4);
            (await host.TotalAsync("q=message:restart")).Should().Be(1);
            var statsAfter = await host.GetJsonAsync("/api/stats");
            statsAfter.GetProperty("total_logs").GetInt64().Should().Be(4);
            statsAfter.GetRawText().Should().Be(statsBefore, "KPIs come from stored windows, not from memory");
            (await host.GetJsonAsync("/api/files")).GetProperty("files")[0].GetProperty("status").GetString().Should().Be("processed");
            (await host.GetJsonAsync("/api/saved-searches")).GetArrayLength().Should().Be(1);

            (await host.IngestAsync("""{"service":"restart","message":"after restart"}""", "application/json")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await Eventually.HoldsAsync(async () => await host.TotalAsync("service=restart") == 2, TimeSpan.FromSeconds(30), "the pipeline runs on after the restart");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
