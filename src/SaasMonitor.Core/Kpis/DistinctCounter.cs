using System.Buffers.Binary;
using System.Numerics;

namespace SaasMonitor.Core.Kpis;

/// <summary>
/// A mergeable count of distinct values (users). Exact up to <see cref="ExactLimit"/> values (a set of
/// 64-bit hashes); beyond that a HyperLogLog with 2^12 registers, whose standard error is about 1.6%.
/// </summary>
public sealed class DistinctCounter
{
    public const int ExactLimit = 1024;
    private const int Precision = 12;
    private const int RegisterCount = 1 << Precision;
    private const byte ExactTag = 1;
    private const byte HyperLogLogTag = 2;

    private HashSet<ulong>? _exact = [];
    private byte[]? _registers;

    public void Add(string value) => AddHash(StableHash.Hash64(value));

    public void Merge(DistinctCounter other)
    {
        if (other._exact is { } otherExact)
        {
            foreach (var hash in otherExact)
            {
                AddHash(hash);
            }

            return;
        }

        var registers = SwitchToHyperLogLog();
        var otherRegisters = other._registers!;
        for (var i = 0; i < RegisterCount; i++)
        {
            registers[i] = Math.Max(registers[i], otherRegisters[i]);
        }
    }

    public long Estimate()
    {
        if (_exact is { } exact)
        {
            return exact.Count;
        }

        double sum = 0;
        var zeros = 0;
        foreach (var register in _registers!)
        {
            sum += Math.ScaleB(1, -register);
            if (register == 0)
            {
                zeros++;
            }
        }

        const double m = RegisterCount;
        var estimate = 0.7213 / (1 + (1.079 / m)) * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log(m / zeros);
        }

        return (long)Math.Round(estimate);
    }

    public byte[] ToBytes()
    {
        if (_exact is { } exact)
        {
            var buffer = new byte[1 + VarInt.MaxLength + (exact.Count * 8)];
            buffer[0] = ExactTag;
            var at = 1 + VarInt.Write(buffer.AsSpan(1), (ulong)exact.Count);
            foreach (var hash in exact)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(at), hash);
                at += 8;
            }

            return buffer.AsSpan(0, at).ToArray();
        }

        var bytes = new byte[1 + RegisterCount];
        bytes[0] = HyperLogLogTag;
        _registers!.CopyTo(bytes, 1);
        return bytes;
    }

    public static DistinctCounter FromBytes(ReadOnlySpan<byte> bytes)
    {
        var counter = new DistinctCounter();
        if (bytes.Length == 1 + RegisterCount && bytes[0] == HyperLogLogTag)
        {
            counter._exact = null;
            counter._registers = bytes[1..].ToArray();
            return counter;
        }

        if (bytes.IsEmpty || bytes[0] != ExactTag)
        {
            throw new FormatException("Not a distinct counter encoding.");
        }

        var at = 1;
        var count = (int)VarInt.Read(bytes, ref at);
        if (bytes.Length != at + (count * 8))
        {
            throw new FormatException("Truncated distinct counter.");
        }

        for (var i = 0; i < count; i++, at += 8)
        {
            counter.AddHash(BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]));
        }

        return counter;
    }

    private void AddHash(ulong hash)
    {
        if (_exact is { } exact)
        {
            if (exact.Count < ExactLimit || exact.Contains(hash))
            {
                exact.Add(hash);
                return;
            }

            SwitchToHyperLogLog();
        }

        AddToRegisters(_registers!, hash);
    }

    private byte[] SwitchToHyperLogLog()
    {
        if (_registers is { } registers)
        {
            return registers;
        }

        registers = new byte[RegisterCount];
        foreach (var hash in _exact!)
        {
            AddToRegisters(registers, hash);
        }

        _registers = registers;
        _exact = null;
        return registers;
    }

    private static void AddToRegisters(byte[] registers, ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        // A guard bit below the remaining bits caps the rank at 64 - Precision + 1.
        var rest = (hash << Precision) | (1UL << (Precision - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > registers[index])
        {
            registers[index] = rank;
        }
    }
}
