using System.Buffers.Binary;

namespace Ingest.Gateway.Wire;

/// <summary>
/// Reads Protocol Buffers' wire format field by field: the few messages the inputs take (OTLP logs, Loki pushes) are
/// read straight from the bytes, with no generated code. Unknown fields are skipped, as the format requires.
/// Throws <see cref="InvalidDataException"/> with the reason for bytes that are not a well-formed message.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    /// <summary>The wire type of the field <see cref="Next"/> stood on.</summary>
    public int WireType { get; private set; }

    /// <summary>Moves to the next field: its number, or 0 at the end of the message.</summary>
    public int Next()
    {
        if (_data.IsEmpty)
        {
            return 0;
        }

        var tag = ReadVarint();
        WireType = (int)(tag & 7);
        var field = (int)(tag >> 3);
        return field > 0 ? field : throw new InvalidDataException("The protobuf message holds a field numbered 0.");
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_data.IsEmpty)
            {
                throw Truncated();
            }

            var b = _data[0];
            _data = _data[1..];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("The protobuf message holds a varint longer than 10 bytes.");
    }

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>A length-delimited field's bytes: a string, bytes, or an embedded message.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        return length <= (ulong)_data.Length ? Take((int)length) : throw Truncated();
    }

    /// <summary>Passes over the value of the field <see cref="Next"/> stood on.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Take(8);
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                Take(4);
                break;
            default:
                throw new InvalidDataException($"The protobuf message holds a field of wire type {WireType}, which no message here uses.");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (_data.Length < length)
        {
            throw Truncated();
        }

        var taken = _data[..length];
        _data = _data[length..];
        return taken;
    }

    private static InvalidDataException Truncated() => new("The protobuf message ends inside a field: the body is truncated or not protobuf.");
}
