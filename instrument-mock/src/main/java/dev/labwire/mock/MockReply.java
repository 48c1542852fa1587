package dev.labwire.mock;

import dev.labwire.core.frame.Printable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One answer of a {@link MockInstrument} to one command: bytes to send and how to send them. Faults are data:
 * a reply can be late ({@link #delay}), trickle out a byte at a time ({@link #oneByteAtATime}), be cut off
 * with the link dropped ({@link #closeAfter}), be followed by a half-close ({@link #halfClose}), or never come
 * ({@link #none()}, {@link #stall()}). Replies are immutable; every modifier returns a new reply.
 *
 * <pre>{@code
 * mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(600)));   // a late *OPC? answer
 * mock.enqueue(MockReply.line("PARTIAL").closeAfter(4));              // "PART", then the link drops
 * mock.enqueue(MockReply.block(waveform));                            // #42048<bytes>\n
 * }</pre>
 *
 * Defaults: no delay, all bytes in one write, the link stays open. Lines end with {@code \n} unless
 * {@link #line(String, String)} says otherwise; blocks likewise ({@link #block(byte[], String)}).
 * Constructors throw {@link NullPointerException} for a null argument and {@link IllegalArgumentException}
 * for a negative count or duration.
 */
public final class MockReply {

    enum Kind { BYTES, NONE, STALL }

    final Kind kind;
    private final byte[] bytes;
    final Duration delay;
    final Duration byteGap;     // null: all at once
    final int closeAfter;       // -1: never
    final boolean halfClose;
    final MockReply next;       // null: nothing more

    private MockReply(Kind kind, byte[] bytes, Duration delay, Duration byteGap, int closeAfter, boolean halfClose,
            MockReply next) {
        this.kind = kind;
        this.bytes = bytes;
        this.delay = delay;
        this.byteGap = byteGap;
        this.closeAfter = closeAfter;
        this.halfClose = halfClose;
        this.next = next;
    }

    private static MockReply of(Kind kind, byte[] bytes) {
        return new MockReply(kind, bytes, Duration.ZERO, null, -1, false, null);
    }

    /** The text in ISO-8859-1 followed by {@code \n}. */
    public static MockReply line(String text) {
        return line(text, "\n");
    }

    /**
     * The text in ISO-8859-1 followed by {@code terminator}: {@code line("1", "\r\n")} sends {@code 31 0D 0A}, as
     * most SCPI instruments end a response message.
     *
     * @throws IllegalArgumentException when the terminator is empty
     */
    public static MockReply line(String text, String terminator) {
        Objects.requireNonNull(text, "text");
        return of(Kind.BYTES, (text + checkTerminator(terminator)).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@code terminator} when it is a usable line terminator. */
    static String checkTerminator(String terminator) {
        Objects.requireNonNull(terminator, "terminator");
        if (terminator.isEmpty()) {
            throw new IllegalArgumentException("a line terminator must not be empty");
        }
        return terminator;
    }

    /** Exactly these bytes (copied), no terminator added. */
    public static MockReply bytes(byte[] bytes) {
        return of(Kind.BYTES, Objects.requireNonNull(bytes, "bytes").clone());
    }

    /** An IEEE 488.2 definite-length block {@code #<n><length><payload>} followed by {@code \n}. */
    public static MockReply block(byte[] payload) {
        return block(payload, "\n");
    }

    /**
     * An IEEE 488.2 definite-length block (IEEE 488.2, 8.7.9) followed by {@code trailer}, all in one write. The
     * trailer is what real instruments disagree on: nothing, {@code \n} (the 488.2 response message terminator),
     * or {@code \r\n}:
     * <pre>
     * block({1, 2, 3}, "\r\n")   23 31 33 01 02 03 0D 0A      # 1 3 &lt;3 bytes&gt; CR LF
     * block({1, 2, 3}, "")       23 31 33 01 02 03
     * </pre>
     * For a trailer that comes late, chain it: {@code block(p, "").then(MockReply.bytes(crlf).delay(d))}.
     *
     * @throws IllegalArgumentException when the payload has more than 999,999,999 bytes
     */
    public static MockReply block(byte[] payload, String trailer) {
        Objects.requireNonNull(payload, "payload");
        byte[] tail = Objects.requireNonNull(trailer, "trailer").getBytes(StandardCharsets.ISO_8859_1);
        String len = Integer.toString(payload.length);
        if (len.length() > 9) {
            throw new IllegalArgumentException("a block holds at most 999999999 bytes: " + payload.length);
        }
        byte[] head = ("#" + len.length() + len).getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + payload.length + tail.length);
        System.arraycopy(payload, 0, all, head.length, payload.length);
        System.arraycopy(tail, 0, all, head.length + payload.length, tail.length);
        return of(Kind.BYTES, all);
    }

    /** No reply to this command (what an instrument does for a setting command). */
    public static MockReply none() {
        return of(Kind.NONE, new byte[0]);
    }

    /**
     * No reply to this command, and none to any later command on this connection: a hung instrument. It ends
     * when the connection ends ({@link MockInstrument#disconnect()}, {@link MockInstrument#restart()}, or the
     * client closing a TCP connection) or with {@link MockInstrument#resume()}. Commands sent meanwhile are
     * recorded and never answered.
     */
    public static MockReply stall() {
        return of(Kind.STALL, new byte[0]);
    }

    /**
     * {@code length} bytes of noise followed by {@code \n}: printable and unprintable bytes and {@code \r}, never
     * {@code \n} before the last byte. The same length always gives the same bytes.
     */
    public static MockReply garbage(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("garbage length must be at least 1: " + length);
        }
        SplittableRandom random = new SplittableRandom(0x1abL + length);
        byte[] b = new byte[length + 1];
        for (int i = 0; i < length; i++) {
            int v;
            do {
                v = random.nextInt(256);
            } while (v == '\n');
            b[i] = (byte) v;
        }
        if (length > 2) {
            b[length / 2] = '\r';
            b[0] = (byte) 0xff;
        }
        b[length] = '\n';
        return of(Kind.BYTES, b);
    }

    /** This reply, sent only after {@code delay} (counted from when the command was read). */
    public MockReply delay(Duration delay) {
        checkNotNegative(delay, "delay");
        return new MockReply(kind, bytes, delay, byteGap, closeAfter, halfClose, next);
    }

    /** This reply sent one byte per write, {@code gap} apart. */
    public MockReply oneByteAtATime(Duration gap) {
        checkNotNegative(gap, "gap");
        return new MockReply(kind, bytes, delay, gap, closeAfter, halfClose, next);
    }

    /**
     * Send only the first {@code count} bytes, then drop the link: a TCP connection is closed; a pty pair is
     * destroyed (its device path vanishes) and stays down until {@link MockInstrument#restart()}.
     */
    public MockReply closeAfter(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("closeAfter count must not be negative: " + count);
        }
        return new MockReply(kind, bytes, delay, byteGap, count, halfClose, next);
    }

    /** After this reply, shut down the sending side (TCP FIN; the client reads end-of-stream). On a pty the pair is destroyed. */
    public MockReply halfClose() {
        return new MockReply(kind, bytes, delay, byteGap, closeAfter, true, next);
    }

    /** After this reply (and its own delay), also send {@code next} (with its own delay, counted from then). */
    public MockReply then(MockReply next) {
        Objects.requireNonNull(next, "next");
        MockReply tail = this.next == null ? next : this.next.then(next);
        return new MockReply(kind, bytes, delay, byteGap, closeAfter, halfClose, tail);
    }

    /** The bytes this reply sends (a copy; empty for none and stall). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** This reply with {@code prefix} before its bytes (a bus device's address). */
    MockReply prefixed(byte[] prefix) {
        byte[] b = new byte[prefix.length + bytes.length];
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        System.arraycopy(bytes, 0, b, prefix.length, bytes.length);
        return new MockReply(kind, b, delay, byteGap, closeAfter, halfClose, next);
    }

    byte[] raw() {
        return bytes;
    }

    private static void checkNotNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
    }

    @Override
    public String toString() {
        return "MockReply[" + kind + (kind == Kind.BYTES ? " " + Printable.quoted(bytes, 0, bytes.length, 40) : "")
                + (delay.isZero() ? "" : " delay " + delay.toMillis() + " ms")
                + (byteGap == null ? "" : " byte gap " + byteGap.toMillis() + " ms")
                + (closeAfter < 0 ? "" : " closeAfter " + closeAfter)
                + (halfClose ? " halfClose" : "") + (next == null ? "" : " then " + next) + "]";
    }
}
