package dev.labwire.core.bus;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.Framing;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 *
 * <h2>As a bus</h2>
 * {@link #config()} is the {@link BusConfig} of a {@link Bus} (and of the clients' buses) on a Prologix adapter: open
 * it on the adapter's own link, {@code tcp://host:1234} for a GPIB-ETHERNET or {@code serial:/dev/ttyUSB0} for a
 * GPIB-USB, and each GPIB address is a device ({@link #address(int)}, {@link #address(int, int)}):
 * <pre>
 *   on every new link:        ++mode 1 LF ++auto 0 LF ++eoi 1 LF ++eos 3 LF ++read_tmo_ms 500 LF
 *   write "VOLT 1E+1" to 5:   ++addr 5 LF VOLT 1E ESC + 1 ESC LF LF          (++addr only when the device changes)
 *   query "*IDN?" to 5:       *IDN? ESC LF LF ++read eoi LF                 reply "ACME,DMM,5" LF -> "ACME,DMM,5"
 *   readStatusByte() of 7:    ++addr 7 LF ++spoll 7 LF                      reply "16" CR LF      -> 16
 *   clear / trigger / local:  ++clr LF / ++trg LF / ++loc LF  (to the selected device; nothing comes back)
 * </pre>
 * Each message gets the config's message terminator (LF by default) before it is escaped; the adapter appends
 * nothing ({@code ++eos 3}) and asserts EOI with the last byte. Replies are cut as lines (LF, CR LF or CR), or as the
 * request expects (an IEEE 488.2 block, N bytes): the adapter adds nothing to them, so nothing is stripped.
 *
 * <p>The adapter's replies carry no address and no request tag, so a reply can only be told by its time: after a
 * request that ended without its whole reply, the bus writes nothing for the read timeout plus
 * {@link #QUIET_MARGIN} (the adapter is still in {@code ++read} that long) and what arrives meanwhile is discarded.
 * An instrument that had its answer ready only after the adapter gave up holds it in its output queue, so the next
 * command to that device starts with {@code ++clr} (Selected Device Clear), which empties the queue. What is left: a
 * reply later than the quiet time (an instrument that starts talking just before the adapter's read timeout, with the
 * bytes delayed on the network) would be taken as the next reply; keep request timeouts above the read timeout, as
 * the defaults (5 s and 500 ms) are.
 */
public final class Prologix {
    /** The TCP port of the Prologix GPIB-ETHERNET adapter. */
    public static final int ETHERNET_PORT = 1234;
    /** The escape byte (ASCII ESC). */
    public static final byte ESC = 27;
    /** The longest {@code ++read_tmo_ms} the adapter takes, in ms. */
    public static final int MAX_READ_TIMEOUT_MS = 3000;
    /** The adapter's read timeout {@link #config()} sets: 500 ms. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(500);
    /**
     * What the bus adds to the read timeout for its quiet time after a request ended without its whole reply: 100 ms
     * for the adapter's last bytes to cross the link.
     */
    public static final Duration QUIET_MARGIN = Duration.ofMillis(100);

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
        long ms = readTimeout.isNegative() || readTimeout.getSeconds() > MAX_READ_TIMEOUT_MS / 1000 ? -1
                : (readTimeout.toNanos() + 999_999) / 1_000_000;
        if (ms < 1 || ms > MAX_READ_TIMEOUT_MS) {
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

    // ------------------------------------------------------------------ as a bus

    /** {@link #config(Duration, String)} with the {@link #DEFAULT_READ_TIMEOUT} and LF as the message terminator. */
    public static BusConfig config() {
        return config(DEFAULT_READ_TIMEOUT, "\n");
    }

    /**
     * The settings of a bus on a Prologix adapter: the {@link #addressing(Duration, String)}, the {@link #setup} commands
     * as the on-connect requests (so they go again on every new link, before any other request), replies cut as lines
     * (LF, CR LF or CR; at most the connection default's {@code maxFrameLength}), no write terminator of the connection's
     * own (the addressing writes whole lines), and no per-device late-reply grace (the addressing keeps the whole link
     * quiet instead). The connection's other defaults stay (5 s timeout, reconnect with backoff); change them with
     * {@code toBuilder()}, keeping the on-connect requests and the empty write terminator.
     *
     * @param readTimeout        the adapter's {@code ++read_tmo_ms}: 1..3000 ms
     * @param messageTerminator  appended to every message before it is escaped: {@code "\n"} for most instruments,
     *                           {@code "\r\n"}, or {@code ""} when messages carry their own (EOI ends each one anyway)
     * @throws IllegalArgumentException when {@code readTimeout} is out of range or the terminator is not ISO-8859-1
     */
    public static BusConfig config(Duration readTimeout, String messageTerminator) {
        Addressing a = addressing(readTimeout, messageTerminator);
        ConnectionConfig cc = ConnectionConfig.builder().framing(Framing.lines()).writeTerminator("")
                .onConnect(Request.of(setup(readTimeout), Expect.nothing())).build();
        return BusConfig.builder().connection(cc).addressing(a).lateReplyGrace(Duration.ZERO).build();
    }

    /**
     * The Prologix addressing: the message escaped, then {@code ++read eoi} when a reply is expected; {@code ++addr}
     * as the bus's {@link Addressing#select}; the operations {@link Operation#READ_STATUS_BYTE} ({@code ++spoll}),
     * {@link Operation#CLEAR} ({@code ++clr}, Selected Device Clear), {@link Operation#TRIGGER} ({@code ++trg}, Group
     * Execute Trigger) and {@link Operation#LOCAL} ({@code ++loc}, Go To Local); the others are refused. Replies are
     * passed unchanged. Addresses: a number 0..30 (primary), or the text {@code "pad:sad"} of
     * {@link #address(int, int)}.
     *
     * @throws IllegalArgumentException when {@code readTimeout} is not 1..3000 ms or {@code messageTerminator} is not
     *         ISO-8859-1
     */
    public static Addressing addressing(Duration readTimeout, String messageTerminator) {
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(messageTerminator, "messageTerminator");
        setup(readTimeout); // validates the range
        if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(messageTerminator)) {
            throw new IllegalArgumentException("Prologix message terminator must be ISO-8859-1: \"" + messageTerminator + "\"");
        }
        return new Adapter(readTimeout, messageTerminator.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * The device at GPIB primary address {@code pad}.
     *
     * @throws IllegalArgumentException when {@code pad} is not 0..30
     */
    public static Address address(int pad) {
        return Address.of(checkPad(pad));
    }

    /**
     * The device at GPIB primary address {@code pad}, secondary address {@code sad} (0..30, as VISA's
     * {@code GPIB0::pad::sad::INSTR} writes it; the adapter is told {@code 96 + sad}): the text address
     * {@code "pad:sad"}.
     *
     * @throws IllegalArgumentException when {@code pad} or {@code sad} is not 0..30
     */
    public static Address address(int pad, int sad) {
        if (sad < 0 || sad > 30) {
            throw new IllegalArgumentException("GPIB secondary address " + sad + " is out of range 0..30");
        }
        return Address.of(checkPad(pad) + ":" + sad);
    }

    /** {@code ++addr} with the secondary address {@code sad} (0..30) or without it ({@code sad} -1). */
    private static byte[] addrOf(int pad, int sad) {
        return sad < 0 ? addr(pad) : addr(pad, 96 + sad);
    }

    /** The GPIB address a bus address stands for: {@code [pad, sad]}, sad -1 for none. */
    private static int[] gpib(Address address) {
        if (address.isNumeric()) {
            if (address.number() > 30) {
                throw new IllegalArgumentException("GPIB primary address " + address.number() + " is out of range 0..30");
            }
            return new int[] {address.number(), -1};
        }
        String t = address.text();
        int colon = t.indexOf(':');
        try {
            int pad = Integer.parseInt(colon < 0 ? t : t.substring(0, colon));
            int sad = colon < 0 ? -1 : Integer.parseInt(t.substring(colon + 1));
            if (pad >= 0 && pad <= 30 && sad >= -1 && sad <= 30 && (colon < 0 || sad >= 0)) {
                return new int[] {pad, sad};
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("a Prologix bus takes GPIB addresses: a number 0..30, or \"pad:sad\" with both"
                + " 0..30 (Prologix.address(5), Prologix.address(9, 0)); got " + address);
    }

    /** The {@link #addressing(Duration, String)}. Stateless: the bus remembers the selected device per link. */
    private static final class Adapter implements Addressing {
        private final Duration readTimeout;
        private final byte[] terminator;

        Adapter(Duration readTimeout, byte[] terminator) {
            this.readTimeout = readTimeout;
            this.terminator = terminator;
        }

        @Override
        public byte[] encode(Address address, byte[] payload) {
            gpib(address);
            byte[] message = java.util.Arrays.copyOf(payload, payload.length + terminator.length);
            System.arraycopy(terminator, 0, message, payload.length, terminator.length);
            return dataLine(message);
        }

        @Override
        public byte[] encode(Address address, Request request, long requestId) {
            Expect x = request.expect();
            if (x instanceof Expect.Operate op) {
                int[] g = gpib(address);
                return switch (op.operation()) {
                    case READ_STATUS_BYTE -> g[1] < 0 ? spoll(g[0]) : ascii("++spoll " + g[0] + " " + (96 + g[1]) + "\n");
                    case CLEAR -> ascii("++clr\n");
                    case TRIGGER -> ascii("++trg\n");
                    case LOCAL -> ascii("++loc\n");
                    default -> throw dev.labwire.core.internal.Operations.unsupported(op.operation(), "a Prologix GPIB bus");
                };
            }
            byte[] line = encode(address, request.payload());
            return x == Expect.nothing() ? line : Selector.concat(line, READ_EOI);
        }

        @Override
        public Expect operationReply(Operation operation) {
            return switch (operation) {
                case READ_STATUS_BYTE -> Expect.line();
                case CLEAR, TRIGGER, LOCAL -> Expect.nothing();
                default -> null;
            };
        }

        @Override
        public byte[] select(Address address) {
            int[] g = gpib(address);
            return addrOf(g[0], g[1]);
        }

        @Override
        public Optional<Duration> quietAfterTimeout(Address address) {
            return Optional.of(readTimeout.plus(QUIET_MARGIN));
        }

        @Override
        public byte[] clearAfterTimeout(Address address) {
            return ascii("++clr\n");
        }

        @Override
        public Frame decode(Address address, Frame frame) {
            return frame;
        }

        @Override
        public byte[] encodeReply(Address address, byte[] payload) {
            return payload.clone();
        }

        @Override
        public String toString() {
            return "Prologix GPIB (read_tmo_ms " + readTimeout.toMillis() + ", message terminator \""
                    + new String(terminator, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n") + "\")";
        }
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
