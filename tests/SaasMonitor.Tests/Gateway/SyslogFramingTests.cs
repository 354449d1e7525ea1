using System.Buffers;
using System.Text;
using Ingest.Gateway.Listeners;

namespace SaasMonitor.Tests.Gateway;

public class SyslogFramingTests
{
    [Fact]
    public void Octet_counted_and_newline_framed_messages_are_told_apart_frame_by_frame()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("11 <13>a\nb c d<14>plain\r\n5 <15>x<16>unfinished"));

        var frames = new List<string>();
        while (SyslogFraming.TryReadFrame(ref buffer, out var message))
        {
            frames.Add(Encoding.UTF8.GetString(SyslogFraming.Trim(message.ToArray())));
        }

        frames.Should().Equal("<13>a\nb c d", "<14>plain", "<15>x");
        Encoding.UTF8.GetString(buffer.ToArray()).Should().Be("<16>unfinished", "a frame without its end waits for more bytes");
    }

    [Fact]
    public void An_octet_counted_frame_waits_until_all_its_bytes_have_arrived()
    {
        var buffer = new ReadOnlySequence<byte>("20 <13>only part"u8.ToArray());

        SyslogFraming.TryReadFrame(ref buffer, out _).Should().BeFalse();
        buffer.Length.Should().Be(16);
    }
}
