using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Parsing;

/// <summary>Stack traces and continuation lines join the event they belong to.</summary>
public class MultiLineTests
{
    [Fact]
    public void A_java_stack_trace_with_its_causes_is_one_event_with_the_level_and_time_of_its_first_line()
    {
        const string trace = "java.lang.IllegalStateException: boom\n\tat com.example.App.handle(App.java:42)\n\tat com.example.App.main(App.java:10)\n"
            + "Caused by: java.io.IOException: disk full\n\tat com.example.Store.write(Store.java:7)\n\t... 2 more";
        var run = ParserRun.Of(
            $"2024-03-14 13:45:00,123 ERROR [main] com.example.App - Request failed\n{trace}\n2024-03-14 13:45:01,000 INFO [main] com.example.App - next\n",
            RawFormat.Text);

        run.Events.Should().HaveCount(2);
        var e = run.Events[0];
        e.Level.Should().Be(LogLevels.Error);
        e.Timestamp.Should().Be(new DateTimeOffset(2024, 3, 14, 13, 45, 0, 123, TimeSpan.Zero));
        e.Message.Should().Be($"[main] com.example.App - Request failed\n{trace}");
        e.Raw.Should().Be($"2024-03-14 13:45:00,123 ERROR [main] com.example.App - Request failed\n{trace}");
        run.Events[1].Message.Should().Be("[main] com.example.App - next");
        run.Events[1].Id.Should().Be(SaasMonitor.Core.Events.EventIds.For(3, 42, 7), "an event's index is the line it starts on");
    }

    [Fact]
    public void A_python_traceback_joins_the_log_line_it_follows()
    {
        var run = ParserRun.Of(
            "2024-03-14 13:45:00,123 - app - ERROR - Unhandled\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    main()\n"
            + "ValueError: bad value\n2024-03-14 13:45:01,000 - app - INFO - ok\n",
            RawFormat.Auto);

        run.Events.Select(e => e.Level).Should().Equal(LogLevels.Error, LogLevels.Info);
        run.Events[0].Message.Should().EndWith("ValueError: bad value").And.StartWith("Unhandled\nTraceback");
    }

    [Fact]
    public void Indented_lines_of_a_dotnet_console_log_join_their_entry()
    {
        var run = ParserRun.Of(
            "fail: Microsoft.AspNetCore.Server.Kestrel[13]\n      Connection id \"0HN\" failed\n      System.InvalidOperationException: boom\n"
            + "         at Program.<Main>$(String[] args) in /src/Program.cs:line 5\ninfo: Microsoft.Hosting.Lifetime[14]\n      Application started.\n",
            RawFormat.Text);

        run.Events.Select(e => e.Level).Should().Equal(LogLevels.Error, LogLevels.Info);
        run.Events[0].Message.Should().Contain("System.InvalidOperationException: boom").And.Contain("Program.cs:line 5");
    }

    [Fact]
    public void A_go_panic_in_a_timestamped_stream_is_its_own_critical_event_with_its_goroutines()
    {
        var run = ParserRun.Of(
            "2024/03/14 13:45:00 serving\npanic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:8 +0x1d\nexit status 2\n",
            RawFormat.Text);

        run.Events.Should().HaveCount(2);
        run.Events[1].Level.Should().Be(LogLevels.Critical);
        run.Events[1].Message.Should().EndWith("exit status 2");
    }

    [Fact]
    public void Lines_without_timestamps_in_a_stream_without_timestamps_stay_separate_events()
    {
        ParserRun.Of("first thing\nsecond thing\nthird thing\n", RawFormat.Text).Events.Should().HaveCount(3);
    }

    [Fact]
    public void An_event_joins_at_most_a_thousand_lines()
    {
        var frames = string.Concat(Enumerable.Repeat("\tat com.example.Deep.call(Deep.java:1)\n", 1_500));

        var run = ParserRun.Of($"2024-03-14 13:45:00 ERROR deep\n{frames}", RawFormat.Text);

        run.Events.Should().HaveCount(2);
        run.Events[0].Raw!.Split('\n').Should().HaveCount(1_000);
    }
}
