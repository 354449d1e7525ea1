using System.Net;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Tests.Identity;

public sealed class AccessRuleTests
{
    [Theory]
    [InlineData(AnonymousIngest.Loopback, "127.0.0.1", true)]
    [InlineData(AnonymousIngest.Loopback, "::1", true)]
    [InlineData(AnonymousIngest.Loopback, "192.0.2.10", false)]
    [InlineData(AnonymousIngest.Loopback, "::ffff:192.0.2.10", false)]
    [InlineData(AnonymousIngest.Never, "127.0.0.1", false)]
    [InlineData(AnonymousIngest.Always, "192.0.2.10", true)]
    public void Anonymous_ingest_follows_the_configured_rule(AnonymousIngest rule, string address, bool allowed)
    {
        AccessRuleHandler.MayIngestAnonymously(rule, IPAddress.Parse(address)).Should().Be(allowed);
    }

    [Theory]
    [InlineData("https://evil.example", null, true)]
    [InlineData("http://localhost:5000", null, false)]
    [InlineData("http://LOCALHOST:5000", null, false)]
    [InlineData("http://localhost:5001", null, true)]
    [InlineData("null", null, true)]
    [InlineData(null, "cross-site", true)]
    [InlineData(null, "same-site", true)]
    [InlineData(null, "same-origin", false)]
    [InlineData(null, "none", false)]
    [InlineData(null, null, false)]
    public void A_request_from_another_origin_is_cross_site(string? origin, string? fetchSite, bool crossSite)
    {
        var http = new DefaultHttpContext();
        http.Request.Host = new HostString("localhost:5000");
        if (origin is not null)
        {
            http.Request.Headers.Origin = origin;
        }

        if (fetchSite is not null)
        {
            http.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        CrossSiteGuard.IsCrossSite(http.Request).Should().Be(crossSite);
    }
}
