using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.Security;

namespace Ingest.Gateway;

/// <summary>POST /api/ingest: a batch of log records over HTTP, acknowledged once durable.</summary>
internal static class IngestEndpoints
{
    public static void MapIngest(this WebApplication app) => app.MapPost("/api/ingest", IngestAsync)
        .WithTags("Ingest")
        .WithName("Ingest")
        .WithSummary("Ingest a batch of log records.")
        .WithDescription("""
            Body: a JSON object or array of objects (application/json), JSON lines (application/x-ndjson),
            CSV with a header row (text/csv), or log lines (text/plain: Apache/Nginx access lines, syslog, application logs).
            `format` overrides the Content-Type (json, jsonl, csv, apache, text, clef, gelf, ecs, auto). Gzip bodies (Content-Encoding: gzip) are accepted.
            Answers 202 with the number of records accepted only after they are durable. A malformed JSON body or an
            unterminated CSV quote is refused whole with 400; a record that cannot be parsed later goes to the dead-letter
            topic with its bytes and the reason. With an Idempotency-Key header, a retry of the same batch gets the first
            answer (with Idempotent-Replayed: true) and writes nothing; the key reused for other content is refused with 422.
            """)
        .Accepts<string>("application/json", "application/x-ndjson", "text/csv", "text/plain", "*/*")
        .Produces<IngestResult>(StatusCodes.Status202Accepted)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .DisableAntiforgery()
        .RequireAuthorization(Policies.Ingest);

    private static async Task<IResult> IngestAsync(
        HttpContext context,
        RawWriter writer,
        IOptions<IngestOptions> options,
        [FromQuery] string? format,
        [FromQuery] string? source,
        CancellationToken ct)
    {
        var request = context.Request;
        var rawFormat = format is not null ? FormatNames.FromName(format) : FormatNames.FromContentType(request.ContentType);
        if (rawFormat is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported format",
                detail: $"Send application/json, application/x-ndjson, text/csv or text/plain, or name the format with ?format= (json, jsonl, csv, apache, text, clef, gelf, ecs, auto); got '{format ?? request.ContentType}'.");
        }

        var (result, problem) = await AcceptAsync(context, writer, options.Value, rawFormat.Value, context.User.IngestSource(source, "http"), ct).ConfigureAwait(false);
        return problem ?? Results.Accepted(value: result);
    }

    /// <summary>
    /// Reads the request body (size limits, gzip) and appends it in <paramref name="format"/> to the raw topic, stamped with
    /// <paramref name="source"/>: the records accepted once durable, or the problem that refused the request with nothing written.
    /// Every HTTP input ends here.
    /// </summary>
    public static async Task<(IngestResult? Result, IResult? Problem)> AcceptAsync(
        HttpContext context, RawWriter writer, IngestOptions limits, RawFormat format, string source, CancellationToken ct)
    {
        var (body, problem) = OpenBody(context, limits);
        if (body is null)
        {
            return (null, problem);
        }

        await using (body.ConfigureAwait(false))
        {
            var chunker = new RawChunker(format, limits.ChunkBytes);
            var chunks = new List<RawChunk>();
            try
            {
                await ReadAllAsync(body, chunker, chunks, format, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (Refusal(ex) is { } refusal)
            {
                return (null, refusal);
            }

            return await AppendAsync(context, writer, chunker, chunks, source, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the whole request body (size limits, gzip), for wire formats that are translated before they are stored:
    /// the bytes, or the problem that refused the request.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Problem)> ReadBodyAsync(HttpContext context, IngestOptions limits, CancellationToken ct)
    {
        var (body, problem) = OpenBody(context, limits);
        if (body is null)
        {
            return (default, problem);
        }

        await using (body.ConfigureAwait(false))
        {
            using var all = new MemoryStream();
            try
            {
                await body.CopyToAsync(all, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (Refusal(ex) is { } refusal)
            {
                return (default, refusal);
            }

            return (all.GetBuffer().AsMemory(0, (int)all.Length), null);
        }
    }

    /// <summary>
    /// Appends <paramref name="lines"/> (records in <paramref name="format"/>, one per line, as a translated wire format
    /// yields them) to the raw topic, stamped with <paramref name="source"/>: the records accepted once durable, or the
    /// problem that refused them with nothing written.
    /// </summary>
    public static async Task<(IngestResult? Result, IResult? Problem)> AppendLinesAsync(
        HttpContext context, RawWriter writer, IngestOptions limits, RawFormat format, ReadOnlyMemory<byte> lines, string source, CancellationToken ct)
    {
        var chunker = new RawChunker(format, limits.ChunkBytes);
        var chunks = new List<RawChunk>();
        try
        {
            chunker.Write(lines.Span, chunks);
            chunker.Complete(chunks);
        }
        catch (Exception ex) when (Refusal(ex) is { } refusal)
        {
            return (null, refusal);
        }

        return await AppendAsync(context, writer, chunker, chunks, source, ct).ConfigureAwait(false);
    }

    /// <summary>Appends the request's raw records durably, once per <see cref="IdempotentIngest.Header"/> when the request carries one.</summary>
    private static Task<(IngestResult? Result, IResult? Problem)> AppendAsync(
        HttpContext context, RawWriter writer, RawChunker chunker, List<RawChunk> chunks, string source, CancellationToken ct) =>
        context.RequestServices.GetRequiredService<IdempotentIngest>().AppendOnceAsync(
            context,
            source,
            chunks,
            chunker.Records,

            // One key per request keeps its chunks together in one partition, in order.
            () => writer.AppendAsync(chunks, source, fileId: null, key: Guid.NewGuid().ToString("N"), ct),
            ct);

    /// <summary>The answer to a body that cannot be taken: too large (413) or malformed (400); null for other failures.</summary>
    public static IResult? Refusal(Exception ex) => ex switch
    {
        RecordTooLargeException => TooLarge(ex.Message),

        // The decompressor's own reasons name no gzip body; say what happened.
        InvalidDataException when ex.Source == typeof(GZipStream).Assembly.GetName().Name =>
            Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body", detail: GzipTrailer.Refusal(ex.Message)),
        InvalidDataException => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body", detail: ex.Message),
        _ => null,
    };

    /// <summary>The request body within the size limits, gzip inflated; or the problem that refuses it.</summary>
    private static (Stream? Body, IResult? Problem) OpenBody(HttpContext context, IngestOptions limits)
    {
        var request = context.Request;
        if (request.ContentLength > limits.MaxBodyBytes)
        {
            return (null, TooLarge($"The body is larger than the limit of {limits.MaxBodyBytes} bytes."));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limits.MaxBodyBytes;
        }

        return OpenBody(request, limits) is { } body
            ? (body, null)
            : (null, Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported encoding",
                detail: $"Content-Encoding '{request.Headers.ContentEncoding}' is not supported; send identity or gzip."));
    }

    private static Stream? OpenBody(HttpRequest request, IngestOptions limits)
    {
        var encoding = request.Headers.ContentEncoding.ToString();
        if (encoding is "" or "identity")
        {
            return new LimitedStream(request.Body, limits.MaxBodyBytes, "body");
        }

        if (encoding != "gzip")
        {
            return null;
        }

        var trailer = new GzipTrailer();
        var raw = new LimitedStream(request.Body, limits.MaxBodyBytes, "body", trailer.Compressed);
        return new LimitedStream(new GZipStream(raw, CompressionMode.Decompress), limits.MaxDecompressedBytes, "decompressed body", trailer.Inflated);
    }

    private static async Task ReadAllAsync(Stream body, RawChunker chunker, List<RawChunk> chunks, RawFormat format, CancellationToken ct)
    {
        if (format is RawFormat.Json or RawFormat.Gelf)
        {
            // A JSON batch is checked whole before anything is written, so a bad batch is refused whole.
            using var all = new MemoryStream();
            await body.CopyToAsync(all, ct).ConfigureAwait(false);
            var bytes = all.GetBuffer().AsSpan(0, (int)all.Length);
            Validate(bytes);
            if (format == RawFormat.Gelf)
            {
                // One GELF message per request, folded onto one line: line breaks in valid JSON are whitespace between tokens.
                bytes.Replace((byte)'\r', (byte)' ');
                bytes.Replace((byte)'\n', (byte)' ');
            }

            chunker.Write(bytes, chunks);
        }
        else
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int n;
                while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    chunker.Write(buffer.AsSpan(0, n), chunks);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        chunker.Complete(chunks);
    }

    private static void Validate(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The body is not valid JSON: {ex.Message}", ex);
        }
    }

    private static IResult TooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: detail);
}

/// <summary>Answer of POST /api/ingest: records accepted (durable) and the raw records they were stored as.</summary>
public sealed record IngestResult(long Accepted, int RawRecords);
