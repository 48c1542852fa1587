package dev.labwire.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One exchange to run on a connection: the bytes to send (without the connection's write terminator,
 * which the connection appends), the reply to {@link Expect}, an optional timeout, and whether it may be
 * sent again after the link was lost with the request possibly on the wire.
 *
 * <p>Text is encoded as ISO-8859-1; a char above U+00FF is refused with an
 * {@link IllegalArgumentException} naming it (SCPI is ASCII, so this never loses data silently).
 *
 * <pre>{@code
 * Request.query("*IDN?")                                  // one line back
 * Request.write("VOLT 5")                                 // nothing back
 * Request.of("CURV?", Expect.block()).withTimeout(Duration.ofSeconds(5))
 * Request.query("MEAS:VOLT?").withResend(Request.Resend.ON_RECONNECT) // sent again if the link drops
 * }</pre>
 *
 * @param payload the bytes to send, without terminator (copied in and out)
 * @param expect  what reply ends the exchange
 * @param timeout the whole-exchange timeout from submission (queueing, waiting for the link, reply),
 *                or {@code null} for the connection's default
 * @param resend  what to do if the link drops after the bytes may have reached the device
 */
public record Request(byte[] payload, Expect expect, Duration timeout, Resend resend) {

    /**
     * Whether a request that was written (so may have reached the device) when the link dropped is sent again on the
     * next link. A request sent again keeps its deadline: it still ends by its own timeout, counted from submission,
     * however many links drop. Only a link drop sends a request again; a timeout or a bad reply never does. A request
     * not yet written when the link drops is not "sent again": it simply waits (see
     * {@link ConnectionConfig.QueuedOnLinkDown}). On-connect hook requests are never sent again.
     */
    public enum Resend {
        /** Fail it with the link-loss cause: a command that changes state must not run twice. */
        NEVER,
        /** Keep it and send it again on the next link: only for idempotent requests (most queries). */
        ON_RECONNECT,
        /**
         * The default of every factory: as {@link ConnectionConfig#retryQueriesOnLinkDown()} says. When that is on,
         * a request that expects a reply is sent again ({@link #ON_RECONNECT}); otherwise, and for requests that
         * expect nothing, {@link #NEVER}.
         */
        AS_CONFIGURED
    }

    /**
     * The {@code timeout} by which this class's text factories hand over the array {@link #encode} just made: the
     * constructor then keeps that array as it is (no second copy) and stores no timeout. A record has no other
     * way in than its public canonical constructor, hence a marker. It is compared by identity and never leaves
     * this class, so no caller can pass it: a caller's array is always copied, and a caller's negative
     * {@code Duration} (which this one is) is always refused.
     */
    private static final Duration OWN_ENCODED_PAYLOAD = Duration.ofSeconds(-1);

    public Request {
        Objects.requireNonNull(payload, "payload");
        if (timeout == OWN_ENCODED_PAYLOAD) {
            timeout = null;
        } else {
            payload = payload.clone();
        }
        Objects.requireNonNull(expect, "expect");
        Objects.requireNonNull(resend, "resend");
        if (timeout != null) {
            dev.labwire.core.internal.Durations.positive("timeout", timeout);
        }
    }

    /** A text request expecting one line. */
    public static Request query(String text) {
        return of(text, Expect.line());
    }

    /**
     * A text request expecting no reply.
     *
     * @throws IllegalArgumentException when {@code text} holds a SCPI query (a program message unit whose header
     *         ends with {@code ?}, outside strings and blocks: {@code *IDN?}, {@code VOLT 5;*OPC?}): the device would
     *         answer it and, with nobody expecting that answer, it would be taken as the reply to the next query.
     *         Use {@link #query}; for a device that really sends nothing back, {@code Request.of(text, Expect.nothing())}.
     */
    public static Request write(String text) {
        byte[] p = encode(text);
        String q = ProgramMessage.queryHeader(p);
        if (q != null) {
            throw new IllegalArgumentException("write(\"" + text + "\") holds the query " + q + ": the device answers it and"
                    + " that answer would reach the next query; use query(...) (or Request.of(text, Expect.nothing()) for a"
                    + " device that sends nothing back)");
        }
        return new Request(p, Expect.nothing(), OWN_ENCODED_PAYLOAD, Resend.AS_CONFIGURED);
    }

    /**
     * A text request expecting {@code expect}.
     *
     * @throws IllegalArgumentException when {@code text} is empty or holds a char outside ISO-8859-1
     */
    public static Request of(String text, Expect expect) {
        return new Request(encode(text), expect, OWN_ENCODED_PAYLOAD, Resend.AS_CONFIGURED);
    }

    /**
     * A session-protocol operation ({@link Operation}: status byte, device clear, trigger, lock, unlock, remote,
     * local), run the way the link's protocol does it. Its payload is empty; for {@link Operation#LOCK} the
     * request's timeout is how long to wait for the lock.
     */
    public static Request operation(Operation operation) {
        return new Request(new byte[0], new Expect.Operate(operation), null, Resend.AS_CONFIGURED);
    }

    /** A binary request expecting {@code expect}. */
    public static Request of(byte[] payload, Expect expect) {
        return new Request(payload, expect, null, Resend.AS_CONFIGURED);
    }

    /** This request with another whole-exchange timeout. */
    public Request withTimeout(Duration timeout) {
        return new Request(payload, expect, Objects.requireNonNull(timeout, "timeout"), resend);
    }

    /**
     * This request with another resend policy: {@code withResend(Resend.ON_RECONNECT)} retries this one idempotent
     * query after a link drop, {@code withResend(Resend.NEVER)} keeps a query that consumes data (e.g.
     * {@code SYST:ERR?}) from being retried on a connection that retries queries.
     */
    public Request withResend(Resend resend) {
        return new Request(payload, expect, timeout, resend);
    }

    /** A copy of the bytes to send. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    byte[] payloadNoCopy() {
        return payload;
    }

    /** The payload as ISO-8859-1 text. */
    public String text() {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }

    /** The payload as text for messages (see {@link dev.labwire.core.internal.Outcomes#shown(byte[])}). */
    String shownText() {
        return dev.labwire.core.internal.Outcomes.shown(payload);
    }

    static byte[] encode(String text) {
        Objects.requireNonNull(text, "command is null");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("command is empty; a bare terminator is Request.of(new byte[0], expect)");
        }
        // the encoder turns a char outside ISO-8859-1 into '?' (a surrogate pair into one '?'): only where a '?'
        // came out, or when the length changed, is the text looked at char by char (one pass over the bytes for a
        // command of any length, instead of a char-by-char check of every command: queryAll builds many)
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length == text.length()) {
            int i = 0;
            while (i < b.length && (b[i] != '?' || text.charAt(i) == '?')) {
                i++;
            }
            if (i == b.length) {
                return b;
            }
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0xFF) {
                throw new IllegalArgumentException("char U+" + String.format("%04X", (int) c) + " at index " + i
                        + " of \"" + text + "\" is not ISO-8859-1; send bytes with Request.of(byte[], Expect)");
            }
        }
        throw new IllegalStateException("no char outside ISO-8859-1 in \"" + text + "\", but it did not encode as one");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Request r && Arrays.equals(r.payload, payload) && r.expect.equals(expect)
                && Objects.equals(r.timeout, timeout) && r.resend == resend;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(payload), expect, timeout, resend);
    }

    @Override
    public String toString() {
        if (expect instanceof Expect.Operate o) {
            return "Request[" + o.operation() + (timeout == null ? "" : ", timeout=" + timeout)
                    + (resend == Resend.AS_CONFIGURED ? "" : ", " + resend) + "]";
        }
        return "Request[\"" + shownText() + "\", " + expect + (timeout == null ? "" : ", timeout=" + timeout)
                + (resend == Resend.AS_CONFIGURED ? "" : ", " + resend) + "]";
    }
}
