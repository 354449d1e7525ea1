using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SaasMonitor.EndToEnd;

/// <summary>The all-in-one server started inside the test process on a free loopback port, with its own data folder.</summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHost(WebApplication app, string dataDir, HttpClient client, string adminToken)
    {
        _app = app;
        DataDirectory = dataDir;
        Client = client;
        AdminToken = adminToken;
    }

    /// <summary>The syslog and GELF listeners' fixed ports would collide between test servers: off unless a test sets its own.</summary>
    public static readonly string[] NoListeners =
    [
        "--SaasMonitor:Inputs:Syslog:TcpPort=0", "--SaasMonitor:Inputs:Syslog:UdpPort=0", "--SaasMonitor:Inputs:Gelf:TcpPort=0", "--SaasMonitor:Inputs:Gelf:UdpPort=0",
    ];

    public string DataDirectory { get; }

    /// <summary>A client signed in as the admin (with an API token), on loopback.</summary>
    public HttpClient Client { get; }

    /// <summary>The admin API token <see cref="Client"/> sends; it survives restarts on the same data folder.</summary>
    public string AdminToken { get; }

    public Uri BaseAddress => Client.BaseAddress!;

    public IServiceProvider Services => _app.Services;

    public static Task<InProcessHost> StartAsync(params string[] settings) =>
        StartOnAsync(NewDataDirectory(), settings);

    /// <summary>
    /// Starts a server whose callers may pretend to come from another machine (<see cref="RemoteAddress"/>), with
    /// <paramref name="map"/> mapping extra endpoints before it starts.
    /// </summary>
    public static Task<InProcessHost> StartWithRemoteCallersAsync(string[] settings, Action<WebApplication>? map = null) =>
        StartOnAsync(NewDataDirectory(), settings, configure: b => b.Services.AddSingleton<IStartupFilter, RemoteAddress>(), map: map);

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "saasmon-e2e-" + Guid.NewGuid().ToString("N"));

    /// <summary>Stops this server gracefully and starts a new one on the same data folder.</summary>
    public async Task<InProcessHost> RestartAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        return await StartOnAsync(DataDirectory, [], AdminToken);
    }

    private static async Task<InProcessHost> StartOnAsync(
        string dataDir,
        string[] settings,
        string? adminToken = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--data-dir", dataDir, "--Serilog:MinimumLevel:Default=Warning", .. TestUsers.BootstrapSettings, .. NoListeners, .. settings];
        var app = AllInOne.Build(args, configure);
        map?.Invoke(app);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        adminToken ??= await TestUsers.TokenAsync(address);
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);
        return new InProcessHost(app, dataDir, client, adminToken);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POST /api/ingest with <paramref name="body"/> as <paramref name="contentType"/>.</summary>
    public async Task<HttpResponseMessage> IngestAsync(string body, string contentType)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8);
        content.Headers.ContentType = new(contentType);
        return await Client.PostAsync("/api/ingest", content);
    }

    /// <summary>POST /api/upload of <paramref name="bytes"/> as a file named <paramref name="fileName"/>.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string fileName, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/octet-stream");
        form.Add(content, "file", fileName);
        return await Client.PostAsync("/api/upload", form);
    }

    public async Task<long> TotalAsync(string query) => (await GetJsonAsync("/api/search?page_size=1&" + query)).GetProperty("total").GetInt64();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A reader may still hold a file for a moment; the folder is in the temp directory.
        }
    }
}

/// <summary>One server shared by the tests of a class (<c>IClassFixture</c>), started with <paramref name="settings"/>.</summary>
public abstract class HostFixture(params string[] settings) : IAsyncLifetime
{
    public InProcessHost Host { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync() => Host = await InProcessHost.StartAsync(settings);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
