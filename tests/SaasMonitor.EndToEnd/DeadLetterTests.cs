using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SaasMonitor.Core;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// <c>saasmon dlq</c> on the all-in-one server's data: real log lines sent with the wrong format become dead letters,
/// a redrive with the right format indexes each once, and a second redrive sends nothing.
/// </summary>
public sealed class DeadLetterTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "saasmon-dlq-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task Plain_lines_sent_as_json_lines_are_redriven_as_text_once()
    {
        var lines = File.ReadLines(TestData.PathOf("loghub", "Linux_2k.log")).Take(3).ToArray();
        await RunServerAsync(async host =>
        {
            (await host.IngestAsync(string.Join('\n', lines) + "\n", "application/x-ndjson")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await Eventually.HoldsAsync(() => OperatorRuns.CaughtUpAsync(host), TimeSpan.FromSeconds(30), "the parser read the records");
            (await host.TotalAsync("")).Should().Be(0);
        });

        var list = await DlqAsync("list");
        list.Output.Should().Contain("3 of 3 dead letter(s)").And.Contain($"origin {Topics.Raw}/").And.Contain("http/jsonl");
        list.Output.Split('\n').Count(l => l.StartsWith("0:", StringComparison.Ordinal)).Should().Be(3);

        (await DlqAsync("redrive", "0:0", "--format", "json")).Output.Should().Contain("Re-sent 1 dead letter(s)");
        await RunServerAsync(host => Eventually.HoldsAsync(() => OperatorRuns.CaughtUpAsync(host), TimeSpan.FromSeconds(30), "the parser read the redriven record"));
        (await DlqAsync("show", "0:3")).Output.Should().Contain("attempt: 2", "a record failing again after a redrive is its second attempt");

        var redrive = await DlqAsync("redrive", "--all", "--format", "text");
        redrive.Output.Should().Contain("Re-sent 3 dead letter(s); 1 already redriven.").And.Contain("skipped (already redriven) 0:0");
        await RunServerAsync(host => Eventually.HoldsAsync(
            async () => await host.TotalAsync("") == 3 && await OperatorRuns.CaughtUpAsync(host), TimeSpan.FromSeconds(30), "the three lines indexed"));

        (await DlqAsync("redrive", "--all")).Output.Should().Contain("Re-sent 0 dead letter(s)");
        (await DlqAsync("redrive", "0:1", "0:2")).Output.Should().Contain("Re-sent 0 dead letter(s); 2 already redriven.");
        await RunServerAsync(async host =>
        {
            await Eventually.HoldsAsync(() => OperatorRuns.CaughtUpAsync(host), TimeSpan.FromSeconds(30), "every group caught up");
            (await host.TotalAsync("")).Should().Be(3);
        });
    }

    [Fact]
    public async Task The_api_lists_shows_and_redrives_dead_letters_while_the_server_runs()
    {
        await RunServerAsync(async host =>
        {
            (await host.IngestAsync("May 2 10:00:01 web1 sshd[42]: Accepted password for ops\nMay 2 10:00:02 web1 cron[7]: job done\n", "application/x-ndjson"))
                .StatusCode.Should().Be(HttpStatusCode.Accepted);
            await Eventually.HoldsAsync(async () => (await host.GetJsonAsync("/api/dead-letters")).GetProperty("total").GetInt64() == 2, TimeSpan.FromSeconds(30), "two dead letters");

            var list = await host.GetJsonAsync("/api/dead-letters?page_size=1");
            list.GetProperty("items").GetArrayLength().Should().Be(1, "a page holds page_size letters");
            var newest = list.GetProperty("items")[0];
            newest.GetProperty("error_type").GetString().Should().Be("invalid-json");
            newest.GetProperty("original_text").GetString().Should().Contain("cron[7]: job done", "the newest comes first");
            var position = newest.GetProperty("position").GetString()!;
            (await host.GetJsonAsync($"/api/dead-letters/{position}")).GetProperty("original_base64").GetString()
                .Should().Be(Convert.ToBase64String("May 2 10:00:02 web1 cron[7]: job done"u8.ToArray()));

            (await host.Client.GetAsync("/api/dead-letters/oops")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await host.Client.GetAsync("/api/dead-letters/0:999")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await host.Client.PostAsJsonAsync("/api/dead-letters/redrive", new { positions = new[] { position }, format = "yaml" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await host.Client.PostAsJsonAsync("/api/dead-letters/redrive", new { })).StatusCode.Should().Be(HttpStatusCode.BadRequest, "nothing was selected");

            var redrive = await host.Client.PostAsJsonAsync("/api/dead-letters/redrive", new { positions = new[] { position }, format = "text" });
            redrive.StatusCode.Should().Be(HttpStatusCode.OK);
            (await redrive.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resent").GetInt32().Should().Be(1);
            await Eventually.HoldsAsync(async () => await host.TotalAsync("q=job") == 1, TimeSpan.FromSeconds(30), "the redriven line indexed");

            var again = await (await host.Client.PostAsJsonAsync("/api/dead-letters/redrive", new { all = true, format = "text" })).Content.ReadFromJsonAsync<JsonElement>();
            again.GetProperty("resent").GetInt32().Should().Be(1, "only the letter not redriven yet is sent");
            again.GetProperty("skipped").GetInt32().Should().Be(1);
            await Eventually.HoldsAsync(async () => await host.TotalAsync("q=Accepted") == 1, TimeSpan.FromSeconds(30), "the other line indexed");
            (await host.TotalAsync("q=job")).Should().Be(1, "the first letter was not sent twice");
            var audit = await host.GetJsonAsync("/api/audit?action=redrive");
            audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("detail").GetString()).Should().Contain(["1 re-sent, 0 skipped, format text", "1 re-sent, 1 skipped, format text"]);
        });
    }

    private async Task RunServerAsync(Func<InProcessHost, Task> work)
    {
        var host = await OperatorRuns.StartOnAsync(_dataDir);
        await using (host)
        {
            await work(host);
        }
    }

    private async Task<(int Code, string Output, string Error)> DlqAsync(params string[] args)
    {
        var result = await OperatorRuns.RunAsync(["dlq", .. args, "--data-dir", _dataDir]);
        result.Code.Should().Be(0, result.Error);
        return result;
    }
}
