using System.Text;
using Ingest.Gateway;
using Ingest.Gateway.Wire;
using Snappier;

namespace SaasMonitor.Tests.Gateway;

public class WireFormatTests
{
    [Theory]
    [InlineData("""{app="shop", env="prod"}""", """{"app":"shop","env":"prod"}""")]
    [InlineData("""{msg="say \"hi\"\n", x = "a,b"}""", """{"msg":"say \u0022hi\u0022\n","x":"a,b"}""")]
    [InlineData("{}", "{}")]
    public void Loki_stream_labels_in_prometheus_syntax_become_a_json_object(string labels, string json) =>
        Encoding.UTF8.GetString(LokiPush.LabelsAsJson(labels)).Should().Be(json);

    [Fact]
    public void A_loki_push_that_inflates_past_the_limit_is_too_large_and_an_unclosed_label_quote_is_malformed()
    {
        var big = Snappy.CompressToArray(new byte[4096]);
        FluentActions.Invoking(() => LokiPush.FromSnappyProtobuf(big, maxInflated: 1024)).Should().Throw<RecordTooLargeException>().WithMessage("*4096 bytes*");

        FluentActions.Invoking(() => LokiPush.LabelsAsJson("""{app="shop}""")).Should().Throw<InvalidDataException>().WithMessage("*quote is not closed*");
    }

    [Fact]
    public void An_otlp_protobuf_body_cut_short_is_malformed_with_the_reason()
    {
        FluentActions.Invoking(() => OtlpLogs.FromProtobuf([0x0A, 0x05, 0x0A])).Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        OtlpLogs.FromProtobuf([]).Records.Should().Be(0);
    }
}
