namespace SaasMonitor.Core.Kpis;

/// <summary>LEB128 variable-length integers used by the sketch encodings.</summary>
internal static class VarInt
{
    public const int MaxLength = 10;

    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteSigned(Span<byte> destination, long value) => Write(destination, (ulong)((value << 1) ^ (value >> 63)));

    public static ulong Read(ReadOnlySpan<byte> source, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= source.Length)
            {
                throw new FormatException("Truncated varint.");
            }

            var b = source[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new FormatException("Varint longer than 64 bits.");
    }

    public static long ReadSigned(ReadOnlySpan<byte> source, ref int position)
    {
        var raw = Read(source, ref position);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }
}
