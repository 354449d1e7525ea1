using System.Buffers.Binary;
using System.Text;
using K4os.Compression.LZ4;
using SaasMonitor.Core.Bus;

namespace SaasMonitor.Embedded.Journal;

/// <summary>
/// On-disk framing of one record, little-endian:
/// body length (int32), CRC-32C of the body (uint32), then the body:
/// offset (int64), timestamp in Unix milliseconds (int64), key length (int32, -1 = no key), key,
/// header count (int32), per header name length (int32), UTF-8 name, value length (int32), value,
/// value length (int32), value.
/// A compressed batch of records has the same prefix; its body is: the offset of its first record (int64), its newest
/// timestamp (int64), <see cref="BatchMarker"/> (int32, where a record has its key length), the record count (int32),
/// the codec (int32: <see cref="Lz4Codec"/> one LZ4 block, <see cref="ZstdCodec"/> one Zstandard frame), the uncompressed length (int32), then the compressed
/// records, each framed as above with its offset counted from the batch's first record.
/// Segments may mix records and batches; files written before batches existed hold records only.
/// </summary>
internal static class RecordFormat
{
    public const int PrefixSize = 8;
    public const int MinBodySize = 28;

    /// <summary>Bytes before a batch's compressed records, prefix included.</summary>
    public const int BatchHeaderSize = PrefixSize + 32;

    private const int BatchMarker = -2;
    private const int Lz4Codec = 1;
    private const int ZstdCodec = 2;
    private const int ZstdLevel = 1;
    private const int OffsetAt = 0;
    private const int TimestampAt = 8;
    private const int KeyAt = 16;
    private const int CountAt = 20;
    private const int CodecAt = 24;
    private const int UncompressedAt = 28;

    public static int SizeOf(BusMessage message)
    {
        var size = PrefixSize + MinBodySize + (message.Key?.Length ?? 0) + message.Value.Length;
        foreach (var header in message.Headers)
        {
            size += 8 + Encoding.UTF8.GetByteCount(header.Key) + header.Value.Length;
        }

        return size;
    }

    /// <summary>Writes the record into <paramref name="destination"/> (sized by <see cref="SizeOf"/>) and returns its length.</summary>
    public static int Write(Span<byte> destination, BusMessage message, long offset, long timestampMs)
    {
        var body = destination[PrefixSize..];
        BinaryPrimitives.WriteInt64LittleEndian(body[OffsetAt..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(body[TimestampAt..], timestampMs);
        var at = KeyAt;
        if (message.Key is { } key)
        {
            at = WriteBytes(body, at, key.Span);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(body[at..], -1);
            at += 4;
        }

        BinaryPrimitives.WriteInt32LittleEndian(body[at..], message.Headers.Count);
        at += 4;
        foreach (var header in message.Headers)
        {
            var nameLength = Encoding.UTF8.GetBytes(header.Key, body[(at + 4)..]);
            BinaryPrimitives.WriteInt32LittleEndian(body[at..], nameLength);
            at = WriteBytes(body, at + 4 + nameLength, header.Value.Span);
        }

        at = WriteBytes(body, at, message.Value.Span);
        BinaryPrimitives.WriteInt32LittleEndian(destination, at);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(body[..at]));
        return PrefixSize + at;
    }

    /// <summary>
    /// Compresses the records in <paramref name="records"/> (written by <see cref="Write"/> with offsets 0, 1, ...) into
    /// a batch in <paramref name="destination"/> (at least <see cref="MaxBatchSize"/> long); returns the batch's length,
    /// or 0 when compression would not save a tenth. The first offset and the checksum are set later by <see cref="Seal"/>.
    /// </summary>
    public static int WriteBatch(Span<byte> destination, ReadOnlySpan<byte> records, int count, long newestTimestampMs, JournalCompression compression)
    {
        var target = destination[BatchHeaderSize..];
        int compressed;
        int codec;
        if (compression == JournalCompression.Zstd)
        {
            codec = ZstdCodec;
            compressed = Zstd.Compressor.TryWrap(records, target, out var written) ? written : 0;
        }
        else
        {
            codec = Lz4Codec;
            compressed = LZ4Codec.Encode(records, target);
        }

        if (compressed <= 0 || BatchHeaderSize + compressed > records.Length - (records.Length / 10))
        {
            return 0;
        }

        var body = destination[PrefixSize..];
        BinaryPrimitives.WriteInt64LittleEndian(body[TimestampAt..], newestTimestampMs);
        BinaryPrimitives.WriteInt32LittleEndian(body[KeyAt..], BatchMarker);
        BinaryPrimitives.WriteInt32LittleEndian(body[CountAt..], count);
        BinaryPrimitives.WriteInt32LittleEndian(body[CodecAt..], codec);
        BinaryPrimitives.WriteInt32LittleEndian(body[UncompressedAt..], records.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination, BatchHeaderSize - PrefixSize + compressed);
        return BatchHeaderSize + compressed;
    }

    public static int MaxBatchSize(int recordsLength) =>
        BatchHeaderSize + Math.Max(LZ4Codec.MaximumOutputSize(recordsLength), ZstdSharp.Compressor.GetCompressBound(recordsLength));

    /// <summary>Sets the offset of a batch's first record and its checksum.</summary>
    public static void Seal(Span<byte> batch, long offset)
    {
        BinaryPrimitives.WriteInt64LittleEndian(batch[(PrefixSize + OffsetAt)..], offset);
        var length = BinaryPrimitives.ReadInt32LittleEndian(batch);
        BinaryPrimitives.WriteUInt32LittleEndian(batch[4..], Crc32C.Compute(batch.Slice(PrefixSize, length)));
    }

    public static bool IsBatch(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt32LittleEndian(record[(PrefixSize + KeyAt)..]) == BatchMarker;

    /// <summary>The offset of the record, or of a batch's first record.</summary>
    public static long OffsetOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[(PrefixSize + OffsetAt)..]);

    /// <summary>The offset of the record, or of a batch's last record.</summary>
    public static long LastOffsetOf(ReadOnlySpan<byte> record) =>
        IsBatch(record) ? OffsetOf(record) + BinaryPrimitives.ReadInt32LittleEndian(record[(PrefixSize + CountAt)..]) - 1 : OffsetOf(record);

    /// <summary>The record's timestamp, or a batch's newest.</summary>
    public static long TimestampOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[(PrefixSize + TimestampAt)..]);

    /// <summary>
    /// Adds the messages of a verified record or batch whose offset is at least <paramref name="from"/> to
    /// <paramref name="output"/>; a record's messages share <paramref name="buffer"/>, a batch's a new array.
    /// </summary>
    public static void DecodeFrom(string topic, int partition, byte[] buffer, int start, long from, List<ConsumedMessage> output)
    {
        var record = buffer.AsSpan(start);
        if (!IsBatch(record))
        {
            if (OffsetOf(record) >= from)
            {
                output.Add(Decode(topic, partition, buffer, start));
            }

            return;
        }

        var first = OffsetOf(record);
        var records = Decompress(record);
        for (var at = 0; at < records.Length; at += LengthOf(records.AsSpan(at)))
        {
            if (first + OffsetOf(records.AsSpan(at)) >= from)
            {
                output.Add(Decode(topic, partition, records, at, first));
            }
        }
    }

    /// <summary>The offset of the first message of a verified record or batch stamped at or after <paramref name="timestampMs"/>.</summary>
    public static long? FirstOffsetAtOrAfter(ReadOnlySpan<byte> record, long timestampMs)
    {
        if (TimestampOf(record) < timestampMs)
        {
            return null;
        }

        if (!IsBatch(record))
        {
            return OffsetOf(record);
        }

        var records = Decompress(record);
        for (var at = 0; at < records.Length; at += LengthOf(records.AsSpan(at)))
        {
            if (TimestampOf(records.AsSpan(at)) >= timestampMs)
            {
                return OffsetOf(record) + OffsetOf(records.AsSpan(at));
            }
        }

        return null;
    }

    private static byte[] Decompress(ReadOnlySpan<byte> batch)
    {
        var body = batch[PrefixSize..LengthOf(batch)];
        var codec = BinaryPrimitives.ReadInt32LittleEndian(body[CodecAt..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(body[UncompressedAt..]);
        var records = length >= 0 ? new byte[length] : [];
        var compressed = body[(BatchHeaderSize - PrefixSize)..];
        var decoded = length < 0 ? -1
            : codec == Lz4Codec ? LZ4Codec.Decode(compressed, records)
            : codec == ZstdCodec && Zstd.Decompressor.TryUnwrap(compressed, records, out var written) ? written
            : -1;
        if (decoded != length)
        {
            throw new BusException($"A journal batch at offset {OffsetOf(batch)} cannot be decompressed (codec {codec}, {length} bytes).");
        }

        return records;
    }

    public static int LengthOf(ReadOnlySpan<byte> record) => PrefixSize + BinaryPrimitives.ReadInt32LittleEndian(record);

    /// <summary>Decodes a verified record (its offset counted from <paramref name="firstOffset"/>); key, header values and value share <paramref name="buffer"/>.</summary>
    public static ConsumedMessage Decode(string topic, int partition, byte[] buffer, int start, long firstOffset = 0)
    {
        var span = buffer.AsSpan(start);
        var bodyStart = start + PrefixSize;
        var body = span[PrefixSize..LengthOf(span)];
        var at = KeyAt;
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        ReadOnlyMemory<byte>? key = null;
        if (keyLength >= 0)
        {
            key = new ReadOnlyMemory<byte>(buffer, bodyStart + at, keyLength);
            at += keyLength;
        }

        var headerCount = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        var headers = headerCount == 0 ? [] : new MessageHeader[headerCount];
        for (var i = 0; i < headerCount; i++)
        {
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            var name = Encoding.UTF8.GetString(body.Slice(at + 4, nameLength));
            at += 4 + nameLength;
            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            headers[i] = new MessageHeader(name, new ReadOnlyMemory<byte>(buffer, bodyStart + at + 4, valueLength));
            at += 4 + valueLength;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        var value = new ReadOnlyMemory<byte>(buffer, bodyStart + at + 4, length);
        return new ConsumedMessage(
            topic,
            partition,
            firstOffset + BinaryPrimitives.ReadInt64LittleEndian(body[OffsetAt..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(body[TimestampAt..])),
            key,
            value,
            headers);
    }

    private static int WriteBytes(Span<byte> body, int at, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(body[at..], bytes.Length);
        bytes.CopyTo(body[(at + 4)..]);
        return at + 4 + bytes.Length;
    }

    /// <summary>Zstandard contexts are reused, one per thread (they are not thread-safe and costly to create).</summary>
    private static class Zstd
    {
        [ThreadStatic]
        private static ZstdSharp.Compressor? t_compressor;

        [ThreadStatic]
        private static ZstdSharp.Decompressor? t_decompressor;

        public static ZstdSharp.Compressor Compressor => t_compressor ??= new ZstdSharp.Compressor(ZstdLevel);

        public static ZstdSharp.Decompressor Decompressor => t_decompressor ??= new ZstdSharp.Decompressor();
    }
}
