using Microsoft.Extensions.Configuration;

namespace SaasMonitor.Tests.Hosting;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--demo", "200")]
    [InlineData("--demo=50", "50")]
    [InlineData("--demo-rate 10", "10")]
    [InlineData("--demo-rate=10", "10")]
    public void Demo_switches_set_the_demo_rate(string args, string rate)
    {
        Configuration(args.Split(' '))["SaasMonitor:Demo:Rate"].Should().Be(rate);
    }

    [Theory]
    [InlineData("--data-dir /var/lib/saasmon")]
    [InlineData("--data-dir=/var/lib/saasmon")]
    public void Data_dir_sets_the_data_directory(string args)
    {
        Configuration(args.Split(' '))["SaasMonitor:DataDirectory"].Should().Be("/var/lib/saasmon");
    }

    [Fact]
    public void Other_arguments_pass_through_unchanged_and_in_order()
    {
        var expanded = CommandLine.Expand(["--urls", "http://0.0.0.0:8080", "--demo", "--SaasMonitor:Partitions=8", "--data-dir", "d"]);

        expanded.Should().Equal("--urls", "http://0.0.0.0:8080", "--SaasMonitor:Demo:Rate=200", "--SaasMonitor:Partitions=8", "--SaasMonitor:DataDirectory=d");
        var config = Configuration(expanded);
        config["urls"].Should().Be("http://0.0.0.0:8080");
        config["SaasMonitor:Partitions"].Should().Be("8");
    }

    [Theory]
    [InlineData("--data-dir")]
    [InlineData("--demo-rate")]
    public void A_switch_without_its_value_is_refused(string name)
    {
        var act = () => CommandLine.Expand(["--urls", "http://x", name]);

        act.Should().Throw<ArgumentException>().WithMessage($"{name} needs a value.");
    }

    private static IConfiguration Configuration(string[] args) =>
        new ConfigurationBuilder().AddCommandLine(CommandLine.Expand(args)).Build();
}
