using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using SaasMonitor.Core.Metadata;

namespace Ingest.Gateway;

/// <summary>
/// <c>Idempotency-Key</c> on the HTTP inputs: a request that carries a key is appended once. A retry with the same key
/// and the same content (a client that lost the first answer) gets the first answer and appends nothing; the same key
/// with other content is refused with 422. The receipt is kept in the metadata store before the records are written,
/// so while one request with a key is being written a retry is refused with 409, whichever gateway replica it reaches.
/// A request that kept its receipt and then stopped without saying whether it wrote (the gateway was killed) leaves
/// the key in doubt; after <see cref="InDoubtAfter"/> a retry writes again, at least once as a request without a key is.
/// Keys are scoped by the source the sender writes to and remembered for a day. Without a key every request is appended.
/// </summary>
internal sealed class IdempotentIngest(IMetadataStore metadata, TimeProvider time)
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set on an answer given again to a retry.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>How long a receipt may stay unwritten before its request is taken to have stopped: longer than any append takes.</summary>
    internal static readonly TimeSpan InDoubtAfter = TimeSpan.FromMinutes(5);

    private const int LongestKey = 255;
    private static readonly TimeSpan RememberFor = TimeSpan.FromDays(1);

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
        var now = time.GetUtcNow();
        var offered = new IngestReceipt(key, Fingerprint(chunks), records, chunks.Count, now, Written: false);
        var kept = await metadata.KeepIngestReceiptAsync(offered, now - RememberFor, ct).ConfigureAwait(false);
        if (kept.Fingerprint != offered.Fingerprint)
        {
            return (null, Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency-Key reused",
                detail: $"This {Header} was used at {kept.At:O} for a request with other content; use a new key for a new request."));
        }

        if (kept != offered)
        {
            if (kept.Written)
            {
                context.Response.Headers[ReplayedHeader] = "true";
                return (new IngestResult(kept.Accepted, kept.RawRecords), null);
            }

            if (now - kept.At < InDoubtAfter)
            {
                return (null, Results.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Request in progress",
                    detail: $"A request with this {Header} is still being written; retry once it has been answered."));
            }
        }

        try
        {
            await append().ConfigureAwait(false);
        }
        catch
        {
            // Nothing of it is acknowledged: a retry with the key may write it.
            await metadata.ForgetIngestReceiptAsync(key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await metadata.MarkIngestReceiptWrittenAsync(key, CancellationToken.None).ConfigureAwait(false);
        return (new IngestResult(records, chunks.Count), null);
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
