package dev.labwire.core.vxi11.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes XDR (RFC 4506): every item is a multiple of four bytes, big-endian; variable-length opaque data and
 * strings are a 4-byte length, the bytes, then zero padding to the next multiple of four (section 4.10).
 *
 * <pre>
 * putInt(-2)           FF FF FF FE
 * putBool(true)        00 00 00 01
 * putOpaque("abcde")   00 00 00 05  61 62 63 64  65 00 00 00
 * </pre>
 *
 * Arguments outside an item's range fail with {@link IllegalArgumentException} naming the value.
 */
public final class XdrWriter {

    private byte[] buf;
    private int len;

    /** An empty writer. */
    public XdrWriter() {
        this.buf = new byte[64];
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) len + more);
            if (want > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("XDR message would exceed " + (Integer.MAX_VALUE - 8) + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    /** A signed 32-bit integer (section 4.1). */
    public XdrWriter putInt(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    /** An unsigned 32-bit integer (section 4.2), 0..4294967295. */
    public XdrWriter putUnsignedInt(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("an XDR unsigned int must be 0..4294967295: " + v);
        }
        return putInt((int) v);
    }

    /** A 64-bit hyper integer (section 4.5). */
    public XdrWriter putHyper(long v) {
        putInt((int) (v >>> 32));
        return putInt((int) v);
    }

    /** A boolean (section 4.4): 1 or 0. */
    public XdrWriter putBool(boolean v) {
        return putInt(v ? 1 : 0);
    }

    /** Fixed-length opaque data (section 4.9): the bytes and padding, no length. */
    public XdrWriter putFixedOpaque(byte[] data) {
        ensure(data.length + 3);
        System.arraycopy(data, 0, buf, len, data.length);
        len += data.length;
        int pad = (4 - (data.length & 3)) & 3;
        for (int i = 0; i < pad; i++) {
            buf[len++] = 0;
        }
        return this;
    }

    /** Variable-length opaque data (section 4.10): length, bytes, padding. */
    public XdrWriter putOpaque(byte[] data) {
        putInt(data.length);
        return putFixedOpaque(data);
    }

    /** Variable-length opaque data from {@code data[off, off + n)}. */
    public XdrWriter putOpaque(byte[] data, int off, int n) {
        if (off < 0 || n < 0 || off > data.length - n) {
            throw new IllegalArgumentException("range " + off + "+" + n + " outside " + data.length + " bytes");
        }
        return putOpaque(Arrays.copyOfRange(data, off, off + n));
    }

    /** A string (section 4.11), as ISO-8859-1 bytes (VXI-11 device names and SCPI text are ASCII). */
    public XdrWriter putString(String s) {
        return putOpaque(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The bytes written so far. */
    public int length() {
        return len;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
