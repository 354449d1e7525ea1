using System.Net;
using System.Security.Cryptography;
using System.Text;
using Alerting.Worker;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;

namespace SaasMonitor.Tests.Alerting;

public sealed class ChannelSecurityTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_private_and_link_local_addresses_are_internal(string address) =>
        TargetGuard.IsInternal(IPAddress.Parse(address)).Should().BeTrue();

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_are_not_internal(string address) =>
        TargetGuard.IsInternal(IPAddress.Parse(address)).Should().BeFalse();

    [Theory]
    [InlineData("http://127.0.0.1:9999/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    public async Task A_target_resolving_inwards_is_refused_with_the_setting_that_allows_it(string url)
    {
        var guard = new TargetGuard(Options.Create(new AlertingOptions()));

        var refused = await FluentActions.Awaiting(() => guard.CheckAsync(url, TestContext.Current.CancellationToken)).Should().ThrowAsync<InvalidAlertException>();

        refused.Which.Message.Should().Contain("AllowPrivateTargets");
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("not a url")]
    [InlineData(null)]
    public async Task A_target_that_is_not_an_http_address_is_refused(string? url) =>
        await FluentActions.Awaiting(() => new TargetGuard(Options.Create(new AlertingOptions())).CheckAsync(url, TestContext.Current.CancellationToken))
            .Should().ThrowAsync<InvalidAlertException>().WithMessage("*http or https*");

    [Fact]
    public async Task Allowing_private_targets_lets_a_local_receiver_through() =>
        await new TargetGuard(Options.Create(new AlertingOptions { AllowPrivateTargets = true })).CheckAsync("http://127.0.0.1:9999/hook", TestContext.Current.CancellationToken);

    [Fact]
    public void The_webhook_signature_is_an_hmac_sha256_of_timestamp_dot_body_that_a_receiver_can_check()
    {
        const string body = "{\"rule\":\"billing errors\"}";

        var header = Notifier.Sign("whsec-1", 1764590400, body);

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec-1"), Encoding.UTF8.GetBytes("1764590400." + body)));
        header.Should().Be($"t=1764590400,v1={expected}");
        Notifier.Sign("other", 1764590400, body).Should().NotBe(header);
    }

    [Fact]
    public void Secrets_are_stored_encrypted_and_read_back_only_through_data_protection()
    {
        var secrets = new ChannelSecrets(new EphemeralDataProtectionProvider());

        var stored = secrets.Protect("smtp-password-1")!;

        stored.Should().NotContain("smtp-password-1");
        secrets.Unprotect(stored).Should().Be("smtp-password-1");
        new ChannelSecrets(new EphemeralDataProtectionProvider()).Invoking(s => s.Unprotect(stored)).Should().Throw<CryptographicException>("another key ring cannot read it");
    }

    [Fact]
    public void Log_content_stays_text_in_slack_and_e_mail_messages()
    {
        var message = new AlertMessage("r1", "billing errors", NotificationKind.Firing, "count > 5", 5, DateTimeOffset.UnixEpoch, "http://localhost:5000/search?q=x", [], ["<script>alert(1)</script> <!channel> ```"]);

        var slack = Notifier.SlackBody(message).ToJsonString();
        slack.Should().NotContain("<script>").And.NotContain("<!channel>");
        slack.Should().Contain("\"type\":\"header\"");
        Notifier.MailBody(message).Should().Contain("<script>alert(1)</script>", "the e-mail is plain text: nothing in it is markup");
    }
}
