package dev.labwire.core.rfc2217.internal;

import java.nio.ByteBuffer;

/**
 * Escapes data for a Telnet peer: 255 is sent as {@code IAC IAC} (RFC 854). Not in BINARY mode, a CR not followed by
 * LF in the same chunk is sent as {@code CR NUL} (RFC 854's NVT rule; a CR at a chunk's end followed by LF in the
 * next becomes {@code CR NUL LF}, which the peer reads back as CR LF all the same).
 *
 * <pre>
 *   data:  'A' FF 'B'        (BINARY)       wire:  'A' FF FF 'B'
 *   data:  'A' 0D 'B' 0D 0A  (not BINARY)   wire:  'A' 0D 00 'B' 0D 0A
 * </pre>
 */
public final class TelnetEncoder {
    private TelnetEncoder() {}

    /**
     * Escapes from {@code src} into {@code dst} while {@code src} has bytes and {@code dst} has room for two.
     *
     * @return how many bytes of {@code src} were consumed
     */
    public static int escape(ByteBuffer src, ByteBuffer dst, boolean binary) {
        int n = 0;
        while (src.hasRemaining() && dst.remaining() >= 2) {
            byte b = src.get();
            n++;
            dst.put(b);
            if (b == (byte) 0xFF) {
                dst.put(b);
            } else if (b == '\r' && !binary && (!src.hasRemaining() || src.get(src.position()) != '\n')) {
                dst.put((byte) 0);
            }
        }
        return n;
    }

    /** The most bytes {@link #escape} makes of {@code n} bytes. */
    public static int maxEscaped(int n) {
        return 2 * n;
    }

    /** Whether {@code src}'s remaining bytes go out unchanged. */
    public static boolean unchanged(ByteBuffer src, boolean binary) {
        for (int i = src.position(); i < src.limit(); i++) {
            byte b = src.get(i);
            if (b == (byte) 0xFF || (b == '\r' && !binary)) {
                return false;
            }
        }
        return true;
    }

    /** {@code IAC SB 44 code value... IAC SE}, the values escaped. */
    public static byte[] comPort(int code, byte... value) {
        byte[] out = new byte[5 + 2 * value.length];
        int n = 0;
        out[n++] = (byte) Telnet.IAC;
        out[n++] = (byte) Telnet.SB;
        out[n++] = (byte) Telnet.COM_PORT;
        out[n++] = (byte) code;
        for (byte v : value) {
            out[n++] = v;
            if (v == (byte) 0xFF) {
                out[n++] = v;
            }
        }
        out[n++] = (byte) Telnet.IAC;
        out[n++] = (byte) Telnet.SE;
        return java.util.Arrays.copyOf(out, n);
    }
}
