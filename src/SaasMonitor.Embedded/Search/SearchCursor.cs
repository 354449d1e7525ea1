using System.Buffers.Binary;
using System.Buffers.Text;
using Lucene.Net.Search;
using Lucene.Net.Util;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Embedded.Search;

/// <summary>
/// The sorts of a search and the cursor that continues one: the last hit's sort values, base64url-encoded.
/// Every sort ends with the unique id, so a cursor stays exact across refreshes.
/// </summary>
internal static class SearchCursor
{
    private const int NumberBytes = 1 + 8 + 8;

    private static readonly Sort Newest = new(
        new SortField(LogFields.Timestamp, SortFieldType.INT64, true),
        new SortField(IndexFields.Id, SortFieldType.STRING, true));

    private static readonly Sort Oldest = new(
        new SortField(LogFields.Timestamp, SortFieldType.INT64, false),
        new SortField(IndexFields.Id, SortFieldType.STRING, false));

    private static readonly Sort Slowest = CreateSlowest();

    public static Sort SortOf(SearchSort sort) => sort switch
    {
        SearchSort.NewestFirst => Newest,
        SearchSort.OldestFirst => Oldest,
        SearchSort.SlowestFirst => Slowest,
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "Unknown sort."),
    };

    /// <summary>The cursor that continues after <paramref name="hit"/>.</summary>
    public static string Encode(SearchSort sort, FieldDoc hit)
    {
        var slowest = sort == SearchSort.SlowestFirst;
        var offset = slowest ? 1 : 0;
        var id = (BytesRef)hit.Fields[offset + 1];
        var buffer = new byte[NumberBytes + id.Length];
        buffer[0] = (byte)sort;
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(1), ((J2N.Numerics.Int64)hit.Fields[offset]).ToInt64());
        if (slowest)
        {
            BinaryPrimitives.WriteDoubleBigEndian(buffer.AsSpan(9), ((J2N.Numerics.Double)hit.Fields[0]).ToDouble());
        }

        id.Bytes.AsSpan(id.Offset, id.Length).CopyTo(buffer.AsSpan(NumberBytes));
        return Base64Url.EncodeToString(buffer);
    }

    /// <summary>The position a cursor stands for, in the form <see cref="IndexSearcher.SearchAfter(ScoreDoc, Query, Filter, int, Sort, bool, bool)"/> takes.</summary>
    /// <exception cref="InvalidQueryException">The cursor is malformed or belongs to another sort.</exception>
    public static FieldDoc Decode(SearchSort sort, string cursor)
    {
        var buffer = new byte[Base64Url.GetMaxDecodedLength(cursor.Length)];
        int length;
        try
        {
            length = Base64Url.DecodeFromChars(cursor, buffer);
        }
        catch (FormatException e)
        {
            throw InvalidCursor(e);
        }

        if (length < NumberBytes || buffer[0] != (byte)sort)
        {
            throw InvalidCursor(null);
        }

        var timestamp = J2N.Numerics.Int64.GetInstance(BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(1)));
        var id = new BytesRef(buffer, NumberBytes, length - NumberBytes);
        object[] fields = sort == SearchSort.SlowestFirst
            ? [J2N.Numerics.Double.GetInstance(BinaryPrimitives.ReadDoubleBigEndian(buffer.AsSpan(9))), timestamp, id]
            : [timestamp, id];

        // The largest doc id: a re-upserted copy of the cursor's own event, with equal sort values, is skipped too.
        return new FieldDoc(int.MaxValue, float.NaN, fields);
    }

    private static InvalidQueryException InvalidCursor(Exception? inner) =>
        new("The cursor is not valid for this search; start again without it.", inner);

    private static Sort CreateSlowest()
    {
        var responseTime = new SortField(LogFields.ResponseTimeMs, SortFieldType.DOUBLE, true);
        responseTime.SetMissingValue(double.NegativeInfinity);
        return new Sort(
            responseTime,
            new SortField(LogFields.Timestamp, SortFieldType.INT64, true),
            new SortField(IndexFields.Id, SortFieldType.STRING, true));
    }
}
