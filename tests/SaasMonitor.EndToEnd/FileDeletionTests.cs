using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SaasMonitor.Testing;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Deleting an uploaded file takes its events out of search and what they added out of the KPIs, and leaves the other
/// files' figures as they were: in the all-in-one, and with the gateway and the aggregator in separate processes over
/// Kafka. The files are generated here, their events in the last hour, sharing services and minutes with each other.
/// </summary>
public sealed class FileDeletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_the_all_in_one_deleting_a_file_takes_its_events_out_of_search_and_the_kpis_at_once()
    {
        await using var host = await InProcessHost.StartAsync();

        var deleted = await UploadSecondFileAndDeleteItAsync(host.Client, host.Client);

        deleted.Response.StatusCode.Should().Be(HttpStatusCode.OK, "the indexer and the aggregator run in this process");
        (await FiguresAsync(host.Client)).Should().Be(deleted.Before);
    }

    [Fact]
    public async Task With_the_gateway_and_the_aggregator_in_separate_processes_deleting_a_file_takes_its_events_out_of_search_and_the_kpis()
    {
        var dataDir = InProcessHost.NewDataDirectory();
        using var broker = new KafkaTestBroker(brokers: 1);
        broker.CreatePipelineTopics(partitions: 2, replicationFactor: 1);
        var processes = new[] { "Ingest.Gateway", "Parser.Worker", "Indexer.Worker", "Aggregator.Worker", "Dashboard.Web" }
            .Select(module => ModuleProcess.Start(
                module,
                "--SaasMonitor:Bus=Kafka",
                $"--SaasMonitor:Kafka:BootstrapServers={broker.BootstrapServers}",
                "--SaasMonitor:Kafka:ReplicationFactor=1",
                "--SaasMonitor:Partitions=2",
                $"--SaasMonitor:DataDirectory={dataDir}"))
            .ToList();
        try
        {
            foreach (var process in processes)
            {
                await process.WaitReadyAsync();
            }

            var (gateway, dashboard) = (processes[0].Client, processes[^1].Client);
            await TestUsers.AuthorizeAsync(dashboard);
            gateway.DefaultRequestHeaders.Authorization = dashboard.DefaultRequestHeaders.Authorization;

            var deleted = await UploadSecondFileAndDeleteItAsync(gateway, dashboard);

            deleted.Response.StatusCode.Should().Be(HttpStatusCode.Accepted, "the indexer and the aggregator run in other processes");
            await Eventually.HoldsAsync(
                async () => await FiguresAsync(dashboard) == deleted.Before,
                TimeSpan.FromSeconds(60),
                "the figures as they were before the deleted file was uploaded");
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the folder is in the temp directory.
            }
        }
    }

    /// <summary>
    /// Uploads a file and waits for its figures; uploads a second one, checks that it changed them, and deletes it.
    /// Returns the answer to the delete and the figures from before the second upload.
    /// </summary>
    private static async Task<(HttpResponseMessage Response, string Before)> UploadSecondFileAndDeleteItAsync(HttpClient gateway, HttpClient dashboard)
    {
        var now = DateTimeOffset.UtcNow;
        var kept = await UploadAsync(gateway, dashboard, "kept.csv", GenerateCsv(now, 300, seed: 1, ["billing", "search"]), expectedTotal: 300);
        var before = await FiguresAsync(dashboard);

        var doomed = await UploadAsync(gateway, dashboard, "doomed.csv", GenerateCsv(now, 200, seed: 2, ["billing", "checkout"]), expectedTotal: 500);
        (await FiguresAsync(dashboard)).Should().NotBe(before, "the second file adds to the KPIs");

        var response = await gateway.DeleteAsync($"/api/files/{doomed}", Ct);
        await Eventually.HoldsAsync(
            async () => await SearchTotalAsync(dashboard, "") == 300,
            TimeSpan.FromSeconds(60),
            "the deleted file's events out of search");
        (await SearchTotalAsync(dashboard, $"file_id={kept}")).Should().Be(300, "the other file keeps its events");
        (await SearchTotalAsync(dashboard, $"file_id={doomed}")).Should().Be(0);
        return (response, before);
    }

    /// <summary>Uploads <paramref name="csv"/> and waits until it is processed and <paramref name="expectedTotal"/> events are searchable and counted.</summary>
    private static async Task<string> UploadAsync(HttpClient gateway, HttpClient dashboard, string name, string csv, long expectedTotal)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", name);
        using var response = await gateway.PostAsync("/api/upload", form, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.Should().Be(HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        await Eventually.HoldsAsync(
            async () => await SearchTotalAsync(dashboard, "") == expectedTotal
                && await StatAsync(dashboard, "total_logs") == expectedTotal,
            TimeSpan.FromSeconds(60),
            $"{name}: {expectedTotal} events searchable and counted");
        return id;
    }

    /// <summary>
    /// A CSV file of events in the last hour: services, endpoints, levels (one in eight an error), response times and
    /// users drawn from <paramref name="seed"/>.
    /// </summary>
    private static string GenerateCsv(DateTimeOffset now, int count, int seed, string[] services)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("timestamp,level,service,endpoint,status_code,response_time_ms,user_id,message\n");
        for (var i = 0; i < count; i++)
        {
            var error = random.Next(8) == 0;
            csv.Append(CultureInfo.InvariantCulture, $"{now.AddSeconds(-random.Next(3600)):O},{(error ? "ERROR" : "INFO")},{services[random.Next(services.Length)]},")
                .Append(CultureInfo.InvariantCulture, $"/api/orders/{random.Next(1000)},{(error ? 500 : 200)},{random.Next(5, 2000 * seed)},user-{seed}-{random.Next(50)},")
                .Append(CultureInfo.InvariantCulture, $"request {i} of file {seed}\n");
        }

        return csv.ToString();
    }

    /// <summary>Every /api/stats figure (KPIs, and the latest error from search) but the count of today's events, which midnight may change.</summary>
    private static async Task<string> FiguresAsync(HttpClient dashboard)
    {
        using var stats = JsonDocument.Parse(await dashboard.GetStringAsync("/api/stats", Ct));
        return string.Join('\n', stats.RootElement.EnumerateObject().Where(p => p.Name != "logs_today").Select(p => $"{p.Name}: {p.Value.GetRawText()}"));
    }

    private static async Task<long> StatAsync(HttpClient dashboard, string property)
    {
        using var stats = JsonDocument.Parse(await dashboard.GetStringAsync("/api/stats", Ct));
        return stats.RootElement.GetProperty(property).GetInt64();
    }

    private static async Task<long> SearchTotalAsync(HttpClient dashboard, string query)
    {
        using var result = JsonDocument.Parse(await dashboard.GetStringAsync("/api/search?page_size=1&" + query, Ct));
        return result.RootElement.GetProperty("total").GetInt64();
    }
}
