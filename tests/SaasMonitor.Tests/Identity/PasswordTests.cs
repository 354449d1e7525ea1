using System.Buffers.Binary;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Tests.Identity;

public sealed class PasswordTests
{
    private static Passwords Hasher(int iterations = 210_000) => new(Options.Create(new AuthOptions { PasswordIterations = iterations }));

    [Fact]
    public void A_new_hash_is_pbkdf2_hmac_sha512_with_at_least_210000_iterations_and_a_128_bit_salt()
    {
        var hash = Convert.FromBase64String(Hasher().Hash("violet-harbour-engine-9"));

        hash[0].Should().Be(0x01, "the Identity v3 format");
        BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(1)).Should().Be(2u, "PRF 2 is HMAC-SHA512");
        BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5)).Should().Be(210_000u);
        BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(9)).Should().BeGreaterThanOrEqualTo(16u);
    }

    [Fact]
    public void A_hash_made_with_fewer_iterations_verifies_but_asks_to_be_rehashed()
    {
        var weaker = new PasswordHasher<object>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(null!, "violet-harbour-engine-9");

        Hasher().Verify(weaker, "violet-harbour-engine-9").Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        Hasher().Verify(Hasher().Hash("violet-harbour-engine-9"), "violet-harbour-engine-9").Should().Be(PasswordVerificationResult.Success);
        Hasher().Verify(weaker, "violet-harbour-engine-8").Should().Be(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Verifying_against_no_hash_fails_after_doing_the_same_work()
    {
        Hasher().Verify(null, "violet-harbour-engine-9").Should().Be(PasswordVerificationResult.Failed);
    }

    [Theory]
    [InlineData("short-pw1", "at least 12")]
    [InlineData("password1234", "commonly used")]
    [InlineData("P4ssw0rd2024!", "commonly used")]
    [InlineData("Qwertyuiop123", "commonly used")]
    [InlineData("aaaaaaaaaaaaaa", "repeats")]
    [InlineData("abababababab", "repeats")]
    [InlineData("123456789012345", "run of keys")]
    [InlineData("Dr4gonDragon!!", "commonly used")]
    [InlineData("mnopqrstuvwxyz", "run of keys")]
    [InlineData("zyxwvutsrqpon", "run of keys")]
    [InlineData("carol-carol-2026", "user's name")]
    [InlineData("saasmonitor!!2026", "product's")]
    public void A_weak_password_is_refused_with_the_reason(string password, string reason)
    {
        Passwords.Weakness(password, "carol").Should().Contain(reason);
    }

    [Theory]
    [InlineData("violet-harbour-engine-9")]
    [InlineData("correct horse battery")]
    [InlineData("Tr0ub4dor&3xyz")]
    public void A_long_uncommon_password_is_accepted(string password)
    {
        Passwords.Weakness(password, "carol").Should().BeNull();
    }
}
