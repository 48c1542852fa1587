package dev.labwire.core.bus;

import dev.labwire.core.RemoteProtocolException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A check value appended to a binary frame so that the receiver can tell a damaged frame from a good
 * one. Three are built in; implement the interface for others (an LRC, a CRC-8).
 *
 * <table>
 *   <caption>Built-in checksums</caption>
 *   <tr><th>factory</th><th>bytes</th><th>value of ASCII {@code "123456789"}</th><th>on the wire</th></tr>
 *   <tr><td>{@link #crc16Modbus()}</td><td>2</td><td>{@code 0x4B37}</td><td>{@code 37 4B} (low byte first, as Modbus RTU sends it)</td></tr>
 *   <tr><td>{@link #sum8()}</td><td>1</td><td>{@code 0xDD} (sum of the bytes mod 256)</td><td>{@code DD}</td></tr>
 *   <tr><td>{@link #xor8()}</td><td>1</td><td>{@code 0x31} (XOR of the bytes)</td><td>{@code 31}</td></tr>
 * </table>
 *
 * <pre>
 *   append:  01 03 00 00 00 0A            -&gt;  01 03 00 00 00 0A C5 CD     (CRC-16/MODBUS 0xCDC5)
 *   verify:  01 03 00 00 00 0A C5 CD      ok
 *            01 03 00 00 00 0B C5 CD      RemoteProtocolException: expected 0x0D04, got 0xCDC5
 * </pre>
 *
 * <p>Values are carried in an {@code int}; a checksum is at most 4 bytes. The default {@link #write} and
 * {@link #read} put the value on the wire little-endian (low byte first); override both for a
 * big-endian check. Implementations must be stateless and thread-safe.
 */
public interface Checksum {

    /** CRC-16/MODBUS: reflected polynomial 0xA001 (0x8005), initial value 0xFFFF, no final XOR; 2 bytes, low byte first. */
    static Checksum crc16Modbus() {
        return Checksums.CRC16_MODBUS;
    }

    /** The sum of the bytes modulo 256; 1 byte. Catches single-byte damage, not swapped bytes. */
    static Checksum sum8() {
        return Checksums.SUM8;
    }

    /** The XOR of the bytes; 1 byte. Catches single-byte damage, not swapped bytes. */
    static Checksum xor8() {
        return Checksums.XOR8;
    }

    /** The name used in error messages, e.g. {@code CRC-16/MODBUS}. */
    String name();

    /** How many bytes the check value takes on the wire: 1 to 4. */
    int size();

    /**
     * The check value of {@code length} bytes of {@code data} from {@code offset}: an unsigned number
     * below {@code 2^(8*size())}.
     *
     * @throws IndexOutOfBoundsException when the range lies outside {@code data}
     */
    int compute(byte[] data, int offset, int length);

    /** The check value of all of {@code data}. */
    default int compute(byte[] data) {
        return compute(data, 0, data.length);
    }

    /** Writes {@code value} as {@link #size()} bytes at {@code offset} of {@code dst}, low byte first. */
    default void write(int value, byte[] dst, int offset) {
        Objects.checkFromIndexSize(offset, size(), dst.length);
        for (int i = 0; i < size(); i++) {
            dst[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Reads a check value of {@link #size()} bytes at {@code offset} of {@code src}, low byte first. */
    default int read(byte[] src, int offset) {
        Objects.checkFromIndexSize(offset, size(), src.length);
        int v = 0;
        for (int i = 0; i < size(); i++) {
            v |= (src[offset + i] & 0xFF) << (8 * i);
        }
        return v;
    }

    /** A new array: {@code data} followed by its check value. */
    default byte[] append(byte[] data) {
        byte[] out = Arrays.copyOf(data, data.length + size());
        write(compute(data), out, data.length);
        return out;
    }

    /**
     * Checks a frame whose last {@link #size()} bytes are the check value of the bytes before them.
     *
     * @throws RemoteProtocolException when the frame is shorter than the check value, or the check value
     *         is wrong; the message names the checksum, the expected (computed) and the actual (received)
     *         value in hex
     */
    default void verify(byte[] frame) {
        int n = frame.length - size();
        if (n < 0) {
            throw new RemoteProtocolException("frame of " + frame.length + " bytes is too short to hold a "
                    + name() + " check value of " + size() + " bytes");
        }
        int expected = compute(frame, 0, n);
        int actual = read(frame, n);
        if (expected != actual) {
            throw new RemoteProtocolException("bad " + name() + " over " + n + " bytes: expected "
                    + Checksums.hex(expected, size()) + ", got " + Checksums.hex(actual, size()));
        }
    }
}
