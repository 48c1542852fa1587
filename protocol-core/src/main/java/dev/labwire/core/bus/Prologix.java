package dev.labwire.core.bus;

import dev.labwire.core.RemoteProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The host side of a Prologix GPIB adapter (GPIB-ETHERNET on TCP port {@value #ETHERNET_PORT}, GPIB-USB as a serial
 * port): the bytes that select a GPIB address, pass a message to the instrument there, read its answer and serial-poll
 * it, as the Prologix user manual describes them. One link, many GPIB instruments (primary addresses 0..30), so each
 * address is a device of a bus. This class is the codec only: what to send and how to read the adapter's own answers;
 * {@link Selector} remembers the address the adapter was last told, to send {@code ++addr} only when it changes.
 *
 * <pre>
 *   setup (once per link):   ++mode 1 LF ++auto 0 LF ++eoi 1 LF ++eos 3 LF ++read_tmo_ms 500 LF
 *   query "*IDN?\n" at 5:    ++addr 5 LF  *IDN? ESC LF LF  ++read eoi LF
 *                            (the adapter sends "*IDN?\n" with EOI on the last byte, then reads until EOI)
 *   status byte of 5:        ++spoll 5 LF   answer: "16" CR LF  (decimal)
 * </pre>
 *
 * <p>Data lines: the adapter ends a line at an unescaped CR or LF and takes a line starting with an unescaped
 * {@code ++} as its own command, so CR (13), LF (10), ESC (27) and '+' (43) in data are each sent after an ESC (the
 * manual's example: {@code 00 01 02 13 03 10 04 27 05 43 06} is sent as
 * {@code 00 01 02 27 13 03 27 10 04 27 27 05 27 43 06}). With {@code ++eos 3} the adapter appends nothing, so the
 * instrument receives exactly the message's bytes (its own terminator included), with EOI on the last one
 * ({@code ++eoi 1}). With {@code ++auto 0} the adapter reads only when told ({@code ++read eoi}), so a write that
 * expects no answer never makes the instrument talk (no "Query UNTERMINATED" errors).
 *
 * <p>What comes back from {@code ++read eoi} is the instrument's bytes unchanged (the adapter does no escaping that
 * way), so the usual framers read it. An instrument that never answers makes the adapter give up after
 * {@code ++read_tmo_ms} (1..3000 ms) and send nothing: the request's own timeout ends it.
 */
public final class Prologix {
    /** The TCP port of the Prologix GPIB-ETHERNET adapter. */
    public static final int ETHERNET_PORT = 1234;
    /** The escape byte (ASCII ESC). */
    public static final byte ESC = 27;
    /** The longest {@code ++read_tmo_ms} the adapter takes, in ms. */
    public static final int MAX_READ_TIMEOUT_MS = 3000;

    private static final byte[] READ_EOI = ascii("++read eoi\n");

    private Prologix() {}

    /** {@code data} with ESC before every CR, LF, ESC and '+'. */
    public static byte[] escape(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 8);
        for (byte b : data) {
            if (b == '\r' || b == '\n' || b == ESC || b == '+') {
                out.write(ESC);
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    /** A line passing {@code message} to the addressed instrument: the message escaped, then an LF. */
    public static byte[] dataLine(byte[] message) {
        byte[] e = escape(message);
        byte[] line = java.util.Arrays.copyOf(e, e.length + 1);
        line[e.length] = '\n';
        return line;
    }

    /**
     * {@code ++addr <pad>}: the instrument at primary address {@code pad} is the one data goes to.
     *
     * @throws IllegalArgumentException when {@code pad} is not 0..30
     */
    public static byte[] addr(int pad) {
        return ascii("++addr " + checkPad(pad) + "\n");
    }

    /**
     * {@code ++addr <pad> <sad>}: with a secondary address; {@code sad} is 96..126 as the manual writes it (96 is
     * secondary address 0).
     *
     * @throws IllegalArgumentException when {@code pad} is not 0..30 or {@code sad} not 96..126
     */
    public static byte[] addr(int pad, int sad) {
        if (sad < 96 || sad > 126) {
            throw new IllegalArgumentException("GPIB secondary address " + sad + " is out of range 96..126 (96 is SAD 0)");
        }
        return ascii("++addr " + checkPad(pad) + " " + sad + "\n");
    }

    /** {@code ++read eoi}: address the instrument to talk and pass what it says until it asserts EOI. */
    public static byte[] readEoi() {
        return READ_EOI.clone();
    }

    /**
     * {@code ++spoll <pad>}: serial-poll the instrument at {@code pad}; the adapter answers its status byte in decimal.
     *
     * @throws IllegalArgumentException when {@code pad} is not 0..30
     */
    public static byte[] spoll(int pad) {
        return ascii("++spoll " + checkPad(pad) + "\n");
    }

    /**
     * The commands that put the adapter in the mode this codec assumes: controller ({@code ++mode 1}), no read after
     * write ({@code ++auto 0}), EOI with the last byte ({@code ++eoi 1}), nothing appended ({@code ++eos 3}), and
     * {@code readTimeout} for {@code ++read} ({@code ++read_tmo_ms}, rounded up to whole ms).
     *
     * @throws IllegalArgumentException when {@code readTimeout} is not 1..3000 ms
     */
    public static byte[] setup(Duration readTimeout) {
        long ms = (readTimeout.toNanos() + 999_999) / 1_000_000;
        if (readTimeout.isNegative() || ms < 1 || ms > MAX_READ_TIMEOUT_MS) {
            throw new IllegalArgumentException("Prologix read timeout " + readTimeout + " is out of range 1.."
                    + MAX_READ_TIMEOUT_MS + " ms");
        }
        return ascii("++mode 1\n++auto 0\n++eoi 1\n++eos 3\n++read_tmo_ms " + ms + "\n");
    }

    /**
     * The status byte in the adapter's answer to {@code ++spoll}: decimal digits, optionally followed by CR and/or LF.
     *
     * @throws RemoteProtocolException naming the answer when it is not a number 0..255
     */
    public static int statusByte(byte[] answer) {
        int end = answer.length;
        while (end > 0 && (answer[end - 1] == '\n' || answer[end - 1] == '\r')) {
            end--;
        }
        int value = 0;
        boolean ok = end > 0 && end <= 3;
        for (int i = 0; ok && i < end; i++) {
            int d = answer[i] - '0';
            ok = d >= 0 && d <= 9;
            value = value * 10 + d;
        }
        if (!ok || value > 255) {
            throw new RemoteProtocolException("Prologix ++spoll answer '" + new String(answer, StandardCharsets.ISO_8859_1)
                    .replace("\r", "\\r").replace("\n", "\\n") + "' is not a status byte 0..255");
        }
        return value;
    }

    private static int checkPad(int pad) {
        if (pad < 0 || pad > 30) {
            throw new IllegalArgumentException("GPIB primary address " + pad + " is out of range 0..30");
        }
        return pad;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The adapter's current address, as this side last set it: {@code ++addr} goes out only when it changes, and again
     * after {@link #forget()} (a new link: the adapter may have been told another address meanwhile). Not thread-safe.
     */
    public static final class Selector {
        private int current = -1;

        /** The bytes that make {@code pad} current: {@code ++addr pad} when it is not, else none. */
        public byte[] select(int pad) {
            checkPad(pad);
            if (pad == current) {
                return new byte[0];
            }
            current = pad;
            return addr(pad);
        }

        /** A query: select {@code pad}, pass {@code message}, read until EOI. */
        public byte[] query(int pad, byte[] message) {
            return concat(select(pad), dataLine(message), READ_EOI);
        }

        /** A write: select {@code pad}, pass {@code message}; the instrument is not made to talk. */
        public byte[] write(int pad, byte[] message) {
            return concat(select(pad), dataLine(message));
        }

        /** The address is unknown again (call on every new link). */
        public void forget() {
            current = -1;
        }

        private static byte[] concat(byte[]... parts) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                o.writeBytes(p);
            }
            return o.toByteArray();
        }
    }
}
