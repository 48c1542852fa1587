package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes XDR (RFC 4506) from one complete message held in memory: nothing is read past its end and no length
 * from the wire allocates more than the bytes actually present. Every failure is a
 * {@link RemoteProtocolException} naming the item, its offset and the numbers involved:
 * <ul>
 *   <li>fewer bytes left than the item needs ("needs 4 bytes at offset 12, 2 left");</li>
 *   <li>an opaque or string length beyond its declared maximum or beyond the message;</li>
 *   <li>a boolean other than 0 or 1 (section 4.4); non-zero padding is tolerated, as most decoders do.</li>
 * </ul>
 */
public final class XdrReader {

    private final byte[] buf;
    private final int end;
    private int pos;

    /** Reads {@code message} (not copied: the caller must not change it while reading). */
    public XdrReader(byte[] message) {
        this(message, 0, message.length);
    }

    /** Reads {@code message[off, off + len)}. */
    public XdrReader(byte[] message, int off, int len) {
        if (off < 0 || len < 0 || off > message.length - len) {
            throw new IllegalArgumentException("range " + off + "+" + len + " outside " + message.length + " bytes");
        }
        this.buf = message;
        this.pos = off;
        this.end = off + len;
    }

    /** Bytes not yet read. */
    public int remaining() {
        return end - pos;
    }

    /** Where the next item starts. */
    public int position() {
        return pos;
    }

    private void need(int n, String what) {
        if (end - pos < n) {
            throw new RemoteProtocolException("XDR " + what + " needs " + n + " bytes at offset " + pos + ", "
                    + (end - pos) + " left");
        }
    }

    /** A signed 32-bit integer. */
    public int getInt(String what) {
        need(4, what);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | buf[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    /** An unsigned 32-bit integer, 0..4294967295. */
    public long getUnsignedInt(String what) {
        return Integer.toUnsignedLong(getInt(what));
    }

    /** An unsigned 32-bit integer that must be at most {@code max} (e.g. 65535 for an {@code unsigned short}). */
    public long getUnsignedInt(String what, long max) {
        long v = getUnsignedInt(what);
        if (v > max) {
            throw new RemoteProtocolException("XDR " + what + " is " + v + ", more than its maximum " + max);
        }
        return v;
    }

    /** A 64-bit hyper integer. */
    public long getHyper(String what) {
        long hi = getInt(what);
        long lo = getUnsignedInt(what);
        return hi << 32 | lo;
    }

    /** A boolean: 0 or 1, anything else fails. */
    public boolean getBool(String what) {
        int at = pos;
        int v = getInt(what);
        if (v != 0 && v != 1) {
            throw new RemoteProtocolException("XDR bool " + what + " at offset " + at + " is " + v + ", not 0 or 1");
        }
        return v == 1;
    }

    /** Fixed-length opaque data of {@code n} bytes and its padding. */
    public byte[] getFixedOpaque(int n, String what) {
        int padded = n + ((4 - (n & 3)) & 3);
        need(padded, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += padded;
        return out;
    }

    /** Variable-length opaque data of at most {@code max} bytes ({@code opaque what<max>}). */
    public byte[] getOpaque(int max, String what) {
        int at = pos;
        long n = getUnsignedInt(what + " length");
        if (n > max) {
            throw new RemoteProtocolException("XDR " + what + " at offset " + at + " is " + n
                    + " bytes long, more than its maximum " + max);
        }
        if (n > end - pos) {
            throw new RemoteProtocolException("XDR " + what + " at offset " + at + " says " + n
                    + " bytes, the message has " + (end - pos) + " left");
        }
        return getFixedOpaque((int) n, what);
    }

    /** A string of at most {@code max} bytes, decoded as ISO-8859-1. */
    public String getString(int max, String what) {
        return new String(getOpaque(max, what), StandardCharsets.ISO_8859_1);
    }

    /** Skips variable-length opaque data of at most {@code max} bytes. */
    public void skipOpaque(int max, String what) {
        getOpaque(max, what);
    }

    /** Fails unless every byte was read: a message with trailing bytes is malformed. */
    public void expectEnd(String what) {
        if (pos != end) {
            throw new RemoteProtocolException(what + " has " + (end - pos) + " unexpected bytes after offset " + pos);
        }
    }

    /** The bytes not yet read, as a copy; consumes them. */
    public byte[] rest() {
        byte[] out = Arrays.copyOfRange(buf, pos, end);
        pos = end;
        return out;
    }
}
