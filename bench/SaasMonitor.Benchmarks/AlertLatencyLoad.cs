using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Benchmarks;

/// <summary>
/// Latency from ingesting a breaching event to its webhook notification arriving, on the all-in-one server at
/// default alerting settings (private targets allowed for the local receiver only). Each round has its own count
/// rule and one error event, sent at a random phase of the evaluation interval. The limit of the stage is the same
/// event becoming searchable (the index refresh), measured in the same round.
/// Usage: alert-latency [--rounds N].
/// </summary>
internal static class AlertLatencyLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = PipelineLoad.Arg(args, "--rounds", 12);
        var dataDir = Path.Combine(Path.GetTempPath(), "saasmon-bench-" + Guid.NewGuid().ToString("N"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {PipelineLoad.CpuModel()}; {rounds} rounds at default alerting settings");

        var arrivals = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<long>>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        receiverBuilder.Logging.ClearProviders();
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            var at = Stopwatch.GetTimestamp();
            using var body = await JsonDocument.ParseAsync(request.Body);
            if (body.RootElement.GetProperty("kind").GetString() == "firing")
            {
                arrivals.GetOrAdd(body.RootElement.GetProperty("rule").GetString()!, _ => new()).TrySetResult(at);
            }

            return Results.Ok();
        });
        await receiver.StartAsync();
        var hook = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

        var app = AllInOne.Build(["--urls", "http://127.0.0.1:0", "--data-dir", dataDir, "--Serilog:MinimumLevel:Default=Warning", "--SaasMonitor:Alerting:AllowPrivateTargets=true"]);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", await AdminTokenAsync(app.Services));
            using var channel = await client.PostAsJsonAsync("/api/alert-channels", new { name = "bench", type = "webhook", url = hook });
            var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

            var notified = new List<double>();
            var searchable = new List<double>();
            var random = new Random(7);
            for (var round = 0; round < rounds; round++)
            {
                var service = $"latency-{round}";
                using var rule = await client.PostAsJsonAsync("/api/alert-rules", new { name = service, query = $"service:{service} AND level:ERROR", window = "1m", threshold = 0, channels = new[] { channelId } });
                rule.EnsureSuccessStatusCode();
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(5_000)));

                var arrival = arrivals.GetOrAdd(service, _ => new());
                using var content = new StringContent($$"""{"level":"ERROR","service":"{{service}}","message":"breach"}""", System.Text.Encoding.UTF8, "application/x-ndjson");
                using var ingested = await client.PostAsync("/api/ingest", content);
                var sent = Stopwatch.GetTimestamp();
                if (ingested.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"ingest answered {(int)ingested.StatusCode}");
                }

                while (await PipelineLoad.TotalAsync(client, $"/api/search?page_size=1&service={service}") == 0)
                {
                    await Task.Delay(20);
                }

                searchable.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                var at = await arrival.Task.WaitAsync(TimeSpan.FromMinutes(1));
                notified.Add(Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds);
                Console.WriteLine($"round {round + 1}: searchable {searchable[^1]:N0} ms, notified {notified[^1]:N0} ms");
            }

            notified.Sort();
            searchable.Sort();
            Console.WriteLine($"ingest → webhook received: min {notified[0]:N0} ms, p50 {PipelineLoad.Percentile(notified, 0.5):N0} ms, max {notified[^1]:N0} ms");
            Console.WriteLine($"ingest → searchable (the stage's limit): min {searchable[0]:N0} ms, p50 {PipelineLoad.Percentile(searchable, 0.5):N0} ms, max {searchable[^1]:N0} ms");
            Console.WriteLine($"ratio notified / searchable at p50: {PipelineLoad.Percentile(notified, 0.5) / PipelineLoad.Percentile(searchable, 0.5):N2}");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }

        return 0;
    }

    private static async Task<string> AdminTokenAsync(IServiceProvider services)
    {
        var accounts = services.GetRequiredService<Accounts>();
        var actor = new Actor("bench", null);
        var user = await accounts.CreateUserAsync("bench-admin", Role.Admin, password: null, actor, CancellationToken.None);
        return (await accounts.IssueTokenAsync(user, "bench", Role.Admin, null, actor, CancellationToken.None)).Secret;
    }
}
