using Microsoft.AspNetCore.Http;

namespace Ingest.Gateway;

/// <summary>
/// Reads through to <paramref name="inner"/> and refuses, with 413, to read past <paramref name="limit"/> bytes;
/// <paramref name="observe"/>, when given, sees every block read (an empty one at the end).
/// </summary>
internal sealed class LimitedStream(Stream inner, long limit, string what, Action<ReadOnlySpan<byte>>? observe = null) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        observe?.Invoke(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Count(inner.Read(buffer, offset, count));
        observe?.Invoke(buffer.AsSpan(offset, n));
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int n)
    {
        _read += n;
        if (_read > limit)
        {
            throw new BadHttpRequestException($"The {what} is larger than the limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        return n;
    }
}
