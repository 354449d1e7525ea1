using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingest.Gateway;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Tests.Gateway;

public sealed class RawChunkerTests
{
    private const int ChunkBytes = 4096;

    [Fact]
    public void Line_chunks_end_at_newlines_stay_within_ChunkBytes_and_keep_every_byte()
    {
        var input = Lines(2000, seed: 1);
        var chunks = Cut(RawFormat.Text, input);

        chunks.Should().HaveCountGreaterThan(10);
        chunks.Should().OnlyContain(c => c.Payload.Last() == (byte)'\n' && c.Payload.Length <= ChunkBytes && c.Format == RawFormat.Text);
        chunks.SkipLast(1).Should().OnlyContain(c => c.Payload.Length > ChunkBytes - 400, "a chunk is cut only when the next line would not fit");
        chunks.SelectMany(c => c.Payload).Should().Equal(input);
        chunks.Sum(c => c.Records).Should().Be(2000);
    }

    [Fact]
    public void Blank_lines_are_not_counted_as_records_and_the_last_line_needs_no_newline()
    {
        var chunker = new RawChunker(RawFormat.Auto, ChunkBytes);
        var chunks = new List<RawChunk>();
        chunker.Write("first\n\n   \r\nsecond\r\n\r\n\t\nthird"u8, chunks);
        chunker.Complete(chunks);

        chunker.Records.Should().Be(3);
        chunks.Should().ContainSingle().Which.Records.Should().Be(3);
        Encoding.UTF8.GetString(chunks[0].Payload).Should().EndWith("third");
    }

    [Theory]
    [InlineData(RawFormat.Text, 1)]
    [InlineData(RawFormat.Text, 7)]
    [InlineData(RawFormat.Text, 65536)]
    [InlineData(RawFormat.Csv, 1)]
    [InlineData(RawFormat.Csv, 7)]
    [InlineData(RawFormat.Csv, 65536)]
    [InlineData(RawFormat.Json, 1)]
    [InlineData(RawFormat.Json, 7)]
    [InlineData(RawFormat.Json, 65536)]
    public void Feeding_the_input_in_slices_of_any_size_gives_the_same_chunks(RawFormat format, int slice)
    {
        var input = format switch
        {
            RawFormat.Csv => Csv(1500, seed: 2),
            RawFormat.Json => PrettyJsonArray(800, seed: 3),
            _ => Lines(3000, seed: 4),
        };

        var whole = Cut(format, input);
        var sliced = Cut(format, input, slice);

        whole.Should().HaveCountGreaterThan(5);
        sliced.Select(Summary).Should().Equal(whole.Select(Summary));
    }

    [Fact]
    public void Csv_chunks_repeat_the_header_and_never_split_a_quoted_field()
    {
        var input = Csv(1500, seed: 5);
        var text = Encoding.UTF8.GetString(input);
        var header = text[..(text.IndexOf('\n', StringComparison.Ordinal) + 1)];
        var chunks = Cut(RawFormat.Csv, input);

        chunks.Should().HaveCountGreaterThan(5);
        var bodies = new StringBuilder();
        foreach (var chunk in chunks)
        {
            var payload = Encoding.UTF8.GetString(chunk.Payload);
            payload.Should().StartWith(header);
            (payload.Count(c => c == '"') % 2).Should().Be(0, "a chunk holds whole quoted fields only");
            payload.Should().EndWith("\n");
            chunk.Payload.Length.Should().BeLessThanOrEqualTo(ChunkBytes);
            bodies.Append(payload[header.Length..]);
        }

        bodies.ToString().Should().Be(text[header.Length..]);
        chunks.Sum(c => c.Records).Should().Be(1500, "rows with quoted newlines count once, the header not at all");
    }

    [Fact]
    public void Csv_rows_are_counted_as_rows_not_as_lines()
    {
        var chunker = new RawChunker(RawFormat.Csv, ChunkBytes);
        var chunks = new List<RawChunk>();
        chunker.Write("ts,level,message\n1,INFO,\"two\nlines\"\n2,ERROR,\"said \"\"hi, there\"\"\"\n\n3,INFO,plain\n"u8, chunks);
        chunker.Complete(chunks);

        chunker.Records.Should().Be(3);
        chunks.Should().ContainSingle().Which.Records.Should().Be(3);
    }

    [Fact]
    public void Blank_lines_before_a_csv_header_are_dropped_and_a_quoted_header_is_kept_whole()
    {
        var chunker = new RawChunker(RawFormat.Csv, ChunkBytes);
        var chunks = new List<RawChunk>();
        chunker.Write("\r\n\n\"timestamp\",\"level\",\"message\"\n2024-01-15T10:30:00Z,INFO,\"a, b\"\n"u8, chunks);
        chunker.Complete(chunks);

        chunker.Records.Should().Be(1);
        Encoding.UTF8.GetString(chunks.Should().ContainSingle().Which.Payload)
            .Should().Be("\"timestamp\",\"level\",\"message\"\n2024-01-15T10:30:00Z,INFO,\"a, b\"\n");
    }

    [Fact]
    public void A_csv_ending_inside_a_quoted_field_is_invalid()
    {
        var act = () => Cut(RawFormat.Csv, "ts,message\n1,\"never closed\n2,next\n"u8.ToArray());

        act.Should().Throw<InvalidDataException>().WithMessage("*quote*");
    }

    [Fact]
    public void A_pretty_printed_json_array_becomes_one_object_per_line()
    {
        var objects = Enumerable.Range(0, 300).Select(i => new { level = "INFO", message = $"event {i}", nested = new { ids = new[] { i, i + 1 } } }).ToList();
        var input = JsonSerializer.SerializeToUtf8Bytes(objects, new JsonSerializerOptions { WriteIndented = true });
        var chunks = Cut(RawFormat.Json, input);

        chunks.Should().HaveCountGreaterThan(1).And.OnlyContain(c => c.Format == RawFormat.JsonLines && c.Payload.Length <= ChunkBytes);
        var lines = chunks.SelectMany(c => Encoding.UTF8.GetString(c.Payload).Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        lines.Should().HaveCount(300);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("message").GetString()).Should().Equal(objects.Select(o => o.message));
        chunks.Sum(c => c.Records).Should().Be(300);
    }

    [Fact]
    public void Json_strings_with_braces_brackets_escaped_quotes_and_newlines_do_not_end_an_object()
    {
        const string tricky = "a } ] { [ \" \\ \n end";
        var input = Encoding.UTF8.GetBytes("[\n  " + JsonSerializer.Serialize(new { message = tricky, n = 1 }) + ",\n  {\"message\": \"}\", \"n\": 2}\n]\n");
        var chunks = Cut(RawFormat.Json, input);

        var lines = Encoding.UTF8.GetString(chunks.Should().ContainSingle().Which.Payload).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        JsonDocument.Parse(lines[0]).RootElement.GetProperty("message").GetString().Should().Be(tricky);
        JsonDocument.Parse(lines[1]).RootElement.GetProperty("n").GetInt32().Should().Be(2);
    }

    [Fact]
    public void Concatenated_json_objects_are_cut_into_one_line_each()
    {
        var chunks = Cut(RawFormat.Json, "{\"n\":1}{\"n\":2}\n\n{\n \"n\": 3\n}"u8.ToArray());

        Encoding.UTF8.GetString(chunks.Should().ContainSingle().Which.Payload).Should().Be("{\"n\":1}\n{\"n\":2}\n{  \"n\": 3 }\n", "line breaks inside an object are folded into spaces");
        chunks[0].Records.Should().Be(3);
    }

    [Fact]
    public void An_empty_json_array_gives_no_chunks()
    {
        Cut(RawFormat.Json, " [ \n ] \n"u8.ToArray()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("[{\"n\":1}] trailing", "*after the end of the JSON array*")]
    [InlineData("[{\"n\":1}, 5]", "*Element 1*not an object*'5'*")]
    [InlineData("[{\"n\":1} {\"n\":2}]", "*Expected ',' or ']' after element 1*")]
    [InlineData("[{\"n\":1},", "*ended before*")]
    [InlineData("{\"n\":1", "*ended before*")]
    [InlineData("\"just a string\"", "*JSON object, a JSON array of objects, or JSON lines*")]
    public void Json_that_cannot_be_cut_safely_is_invalid_with_a_reason(string json, string message)
    {
        var act = () => Cut(RawFormat.Json, Encoding.UTF8.GetBytes(json));

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Theory]
    [InlineData(RawFormat.Text, 1)]
    [InlineData(RawFormat.Text, 65536)]
    [InlineData(RawFormat.Csv, 1)]
    [InlineData(RawFormat.Csv, 65536)]
    [InlineData(RawFormat.Json, 1)]
    [InlineData(RawFormat.Json, 65536)]
    public void A_record_larger_than_ChunkBytes_is_refused_however_the_bytes_arrive(RawFormat format, int slice)
    {
        var big = new string('x', ChunkBytes + 100);
        var input = format switch
        {
            RawFormat.Csv => $"ts,message\n1,small\n2,{big}\n3,small\n",
            RawFormat.Json => $"[{{\"message\":\"small\"}},{{\"message\":\"{big}\"}}]",
            _ => $"small\n{big}\nsmall\n",
        };

        var act = () => Cut(format, Encoding.UTF8.GetBytes(input), slice);

        act.Should().Throw<RecordTooLargeException>().WithMessage("*4096 bytes*ChunkBytes*");
    }

    [Fact]
    public void A_record_of_exactly_ChunkBytes_fits_in_a_chunk_of_its_own()
    {
        var exact = new string('x', ChunkBytes - 1) + "\n";
        var chunks = Cut(RawFormat.Text, Encoding.UTF8.GetBytes("small\n" + exact + "small\n"));

        chunks.Select(c => c.Payload.Length).Should().Equal(6, ChunkBytes, 6);
    }

    private static string Summary(RawChunk c) =>
        $"{c.Format} {c.Records} records {c.Payload.Length} bytes sha256 {Convert.ToHexString(SHA256.HashData(c.Payload))}";

    private static List<RawChunk> Cut(RawFormat format, byte[] input, int slice = int.MaxValue)
    {
        var chunker = new RawChunker(format, ChunkBytes);
        var chunks = new List<RawChunk>();
        for (var i = 0; i < input.Length; i += slice)
        {
            chunker.Write(input.AsSpan(i, Math.Min(slice, input.Length - i)), chunks);
        }

        chunker.Complete(chunks);
        return chunks;
    }

    private static byte[] Lines(int count, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Append("2024-01-15 10:30:00 INFO line ").Append(i).Append(' ').Append('x', random.Next(0, 300)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] Csv(int rows, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("timestamp,level,service,message\n");
        for (var i = 0; i < rows; i++)
        {
            var message = (i % 3) switch
            {
                0 => $"\"multi\nline {i}\r\nwith \"\"quotes\"\", commas and {new string('q', random.Next(0, 200))}\"",
                1 => $"\"\"\"{new string('d', random.Next(0, 200))}\"\"\"",
                _ => $"plain {i} {new string('p', random.Next(0, 200))}",
            };
            sb.Append("2024-01-15T10:30:00Z,INFO,api,").Append(message).Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] PrettyJsonArray(int count, int seed)
    {
        var random = new Random(seed);
        var objects = Enumerable.Range(0, count)
            .Select(i => new { level = "ERROR", message = $"{{[\"event\" {i}]}} " + new string('j', random.Next(0, 200)), tags = new[] { "a", "b" } })
            .ToList();
        return JsonSerializer.SerializeToUtf8Bytes(objects, new JsonSerializerOptions { WriteIndented = true });
    }
}
