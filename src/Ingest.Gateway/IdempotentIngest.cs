using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Metadata;

namespace Ingest.Gateway;

/// <summary>
/// <c>Idempotency-Key</c> on the HTTP inputs: a request that carries a key is appended once. A retry with the same key
/// and the same content (a client that lost the first answer) gets the first answer and appends nothing; the same key
/// with other content is refused with 422, and while the first request is still being written, with 409. Keys are
/// scoped by the source the sender writes to and remembered for a day. Without a key every request is appended.
/// </summary>
internal sealed class IdempotentIngest(IMetadataStore metadata, TimeProvider time)
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set on an answer given again to a retry.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    private const int LongestKey = 255;
    private static readonly TimeSpan RememberFor = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, byte> _writing = new();

    /// <summary>Runs <paramref name="append"/> unless the request's key was answered already: the answer, or the problem.</summary>
    public async Task<(IngestResult? Result, IResult? Problem)> AppendOnceAsync(
        HttpContext context, string source, IReadOnlyList<RawChunk> chunks, long records, Func<Task> append, CancellationToken ct)
    {
        var sent = context.Request.Headers[Header].ToString();
        if (sent.Length == 0)
        {
            await append().ConfigureAwait(false);
            return (new IngestResult(records, chunks.Count), null);
        }

        if (sent.Length > LongestKey)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Idempotency-Key", detail: $"The {Header} is longer than {LongestKey} characters."));
        }

        var key = string.Concat(source, "\n", sent);
        if (!_writing.TryAdd(key, 0))
        {
            return (null, Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Request in progress",
                detail: $"A request with this {Header} is still being written; retry once it has been answered."));
        }

        try
        {
            var fingerprint = Fingerprint(chunks);
            if (await metadata.GetIngestReceiptAsync(key, ct).ConfigureAwait(false) is not { } receipt)
            {
                await append().ConfigureAwait(false);
                var now = time.GetUtcNow();
                receipt = await metadata.KeepIngestReceiptAsync(new IngestReceipt(key, fingerprint, records, chunks.Count, now), now - RememberFor, ct)
                    .ConfigureAwait(false);
                return (new IngestResult(receipt.Accepted, receipt.RawRecords), null);
            }

            if (receipt.Fingerprint != fingerprint)
            {
                return (null, Results.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused",
                    detail: $"This {Header} was used at {receipt.At:O} for a request with other content; use a new key for a new request."));
            }

            context.Response.Headers[ReplayedHeader] = "true";
            return (new IngestResult(receipt.Accepted, receipt.RawRecords), null);
        }
        finally
        {
            _writing.TryRemove(key, out _);
        }
    }

    /// <summary>SHA-256 of what the request would append: the raw records' formats and bytes, in order.</summary>
    private static string Fingerprint(IReadOnlyList<RawChunk> chunks)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var chunk in chunks)
        {
            hash.AppendData([(byte)chunk.Format]);
            hash.AppendData(chunk.Payload);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
