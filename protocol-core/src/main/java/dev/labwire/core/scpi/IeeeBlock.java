package dev.labwire.core.scpi;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Static helpers for IEEE 488.2 arbitrary blocks, the binary form of waveforms, screenshots and
 * calibration tables. A definite length block (7.7.6 program data, 8.7.9 response data) says how many
 * digits the length has, then the length, then the payload:
 *
 * <pre>
 *   payload "ABC"                 block  # 1 3 A B C          bytes 23 31 33 41 42 43
 *   payload of 100 bytes          block  # 3 1 0 0 ...100 bytes...
 *   empty payload                 block  # 1 0
 * </pre>
 *
 * An indefinite length block (7.7.6, 8.7.10) is {@code #0} followed by the payload, ended by the message
 * terminator {@code \n} (with END on GPIB), so its payload cannot hold a {@code \n}.
 *
 * <p>Whole blocks in memory only: cutting blocks from a byte stream is the framers' job (see
 * {@link dev.labwire.core.Expect#block()}). {@link #decode(byte[])} is for a block that is already
 * complete, such as one read from a file or embedded in a reply line.
 *
 * <p><b>Failures.</b> Payloads over {@value #MAX_DEFINITE_LENGTH} bytes (nine length digits) are refused
 * with an {@link IllegalArgumentException}; a malformed block given to {@link #decode(byte[])} is a
 * {@link RemoteProtocolException} naming the declared and the actual length.
 */
public final class IeeeBlock {
    /** Largest payload a definite length block can declare: nine digits, {@value}. */
    public static final int MAX_DEFINITE_LENGTH = 999_999_999;

    private IeeeBlock() {
    }

    /**
     * {@code #<n><length><payload>} with the fewest length digits {@code n}: 3 bytes become
     * {@code #13ABC}, 100 bytes {@code #3100...}, none {@code #10}.
     *
     * @throws IllegalArgumentException if the payload is over {@value #MAX_DEFINITE_LENGTH} bytes
     */
    public static byte[] encode(byte[] payload) {
        byte[] header = header(payload.length);
        byte[] block = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, block, header.length, payload.length);
        return block;
    }

    /**
     * {@code #0<payload>}: an indefinite length block. The caller sends the terminator ({@code \n})
     * right after it, as the end of the message; the payload must not contain that terminator, which
     * would end the block early. Many instruments accept only definite blocks: prefer
     * {@link #encode(byte[])}.
     */
    public static byte[] encodeIndefinite(byte[] payload) {
        byte[] block = new byte[2 + payload.length];
        block[0] = '#';
        block[1] = '0';
        System.arraycopy(payload, 0, block, 2, payload.length);
        return block;
    }

    /**
     * The payload of one complete block, definite ({@code #3100...}) or indefinite ({@code #0...}).
     * One trailing {@code \n} (the reply's terminator) is allowed after a definite block and is not part
     * of an indefinite block's payload.
     *
     * @throws RemoteProtocolException if the bytes do not start with {@code #}, the digit count is not a
     *         digit, the length has fewer digits than declared or holds a non-digit, or the bytes after the
     *         header are fewer or more than the declared length (the message names both numbers)
     */
    public static byte[] decode(byte[] whole) {
        Objects.requireNonNull(whole, "whole");
        if (whole.length == 0 || whole[0] != '#') {
            throw new RemoteProtocolException("arbitrary block does not start with '#': " + show(whole));
        }
        if (whole.length < 2) {
            throw new RemoteProtocolException("arbitrary block ends after '#', before its digit count");
        }
        int digits = whole[1] - '0';
        if (digits < 0 || digits > 9) {
            throw new RemoteProtocolException("arbitrary block digit count is not a digit 0-9: " + show(whole));
        }
        if (digits == 0) {
            int end = whole[whole.length - 1] == '\n' ? whole.length - 1 : whole.length;
            return Arrays.copyOfRange(whole, 2, end);
        }
        if (whole.length < 2 + digits) {
            throw new RemoteProtocolException("arbitrary block declares " + digits + " length digits but only "
                    + (whole.length - 2) + " bytes follow: " + show(whole));
        }
        long declared = 0;
        for (int i = 2; i < 2 + digits; i++) {
            int d = whole[i] - '0';
            if (d < 0 || d > 9) {
                throw new RemoteProtocolException("arbitrary block length holds a non-digit at index " + i + ": "
                        + show(whole));
            }
            declared = declared * 10 + d;
        }
        int start = 2 + digits;
        int actual = whole.length - start;
        if (actual == declared + 1 && whole[whole.length - 1] == '\n') {
            actual--;
        }
        if (actual != declared) {
            throw new RemoteProtocolException("arbitrary block declares " + declared + " payload bytes but "
                    + actual + " bytes follow its header" + (actual > declared ? " (extra bytes after the block)" : ""));
        }
        return Arrays.copyOfRange(whole, start, start + actual);
    }

    /**
     * A command whose last parameter is a definite block: {@code header}, a space, the block. When the
     * header already ends with the {@code ,} of earlier parameters no space is added, so
     * {@code command("DATA:ARB wave,", samples)} gives {@code DATA:ARB wave,#3100...}.
     * Send it with {@code Request.of(bytes, Expect.nothing())}.
     *
     * @throws IllegalArgumentException if the header is empty, holds {@code \n}, {@code \r}, {@code ;}
     *         or a char above U+00FF (the header is sent as ISO-8859-1), or the payload is over {@value #MAX_DEFINITE_LENGTH} bytes
     */
    public static byte[] command(String header, byte[] payload) {
        Scpi.checkHeader(header);
        for (int i = 0; i < header.length(); i++) {
            if (header.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("header " + Text.quoted(header) + " holds char U+"
                        + String.format("%04X", (int) header.charAt(i)) + " at index " + i + ", not ISO-8859-1");
            }
        }
        String prefix = header.endsWith(",") ? header : header + " ";
        byte[] head = prefix.getBytes(StandardCharsets.ISO_8859_1);
        byte[] blockHeader = header(payload.length);
        byte[] out = new byte[head.length + blockHeader.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(blockHeader, 0, out, head.length, blockHeader.length);
        System.arraycopy(payload, 0, out, head.length + blockHeader.length, payload.length);
        return out;
    }

    /** {@code #<n><length>} for a payload of {@code length} bytes; package-private for the limit test. */
    static byte[] header(int length) {
        if (length > MAX_DEFINITE_LENGTH) {
            throw new IllegalArgumentException("payload of " + length + " bytes is over the "
                    + MAX_DEFINITE_LENGTH + " a definite length block can declare");
        }
        String len = Integer.toString(length);
        return ("#" + len.length() + len).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The first bytes as text for a message. */
    private static String show(byte[] b) {
        return Printable.quoted(b, 0, b.length, Text.MAX_QUOTED);
    }
}
