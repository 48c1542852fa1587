package dev.labwire.core.modbus;

import java.util.Objects;

/**
 * How a device spreads a 32-bit value (a float or an int) over two 16-bit registers. With the value's bytes A B C D,
 * most significant first:
 *
 * <pre>
 *   ABCD  reg[0] = A B  reg[1] = C D    big-endian (the Modbus spec's byte order, high word first)
 *   CDAB  reg[0] = C D  reg[1] = A B    low word first ("word swap"), common in PLCs
 *   BADC  reg[0] = B A  reg[1] = D C    bytes swapped in each word
 *   DCBA  reg[0] = D C  reg[1] = B A    little-endian
 * </pre>
 *
 * e.g. {@code 1.0f} is {@code 3F 80 00 00}: ABCD gives registers {@code 0x3F80, 0x0000}, CDAB {@code 0x0000, 0x3F80}.
 * Register values are 0..65535 (higher bits are ignored); a register array too short for the offset is refused with an
 * {@link IllegalArgumentException} naming both numbers.
 */
public enum WordOrder {
    /** Big-endian, high word first. */
    ABCD,
    /** Low word first, bytes big-endian in each word. */
    CDAB,
    /** High word first, bytes swapped in each word. */
    BADC,
    /** Little-endian. */
    DCBA;

    /** The 32 bits in {@code registers[offset]} and {@code registers[offset + 1]}. */
    public int toInt(int[] registers, int offset) {
        Objects.requireNonNull(registers, "registers");
        if (offset < 0 || offset + 2 > registers.length) {
            throw new IllegalArgumentException("a 32-bit value needs registers " + offset + " and " + (offset + 1)
                    + "; the array has " + registers.length);
        }
        int r0 = registers[offset] & 0xFFFF;
        int r1 = registers[offset + 1] & 0xFFFF;
        return switch (this) {
            case ABCD -> r0 << 16 | r1;
            case CDAB -> r1 << 16 | r0;
            case BADC -> swap(r0) << 16 | swap(r1);
            case DCBA -> swap(r1) << 16 | swap(r0);
        };
    }

    /** The unsigned 32-bit value in two registers, 0..4294967295. */
    public long toUnsignedInt(int[] registers, int offset) {
        return toInt(registers, offset) & 0xFFFF_FFFFL;
    }

    /** The IEEE 754 single-precision float in two registers. */
    public float toFloat(int[] registers, int offset) {
        return Float.intBitsToFloat(toInt(registers, offset));
    }

    /** The two registers that hold {@code value} in this order. */
    public int[] fromInt(int value) {
        int hi = value >>> 16;
        int lo = value & 0xFFFF;
        return switch (this) {
            case ABCD -> new int[] {hi, lo};
            case CDAB -> new int[] {lo, hi};
            case BADC -> new int[] {swap(hi), swap(lo)};
            case DCBA -> new int[] {swap(lo), swap(hi)};
        };
    }

    /** The two registers that hold {@code value} (IEEE 754 bits) in this order. */
    public int[] fromFloat(float value) {
        return fromInt(Float.floatToRawIntBits(value));
    }

    private static int swap(int word) {
        return (word & 0xFF) << 8 | (word >> 8 & 0xFF);
    }
}
