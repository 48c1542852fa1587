package dev.labwire.core.bus;

import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a bus addresses a command to one device and checks that a reply came from it. The {@link Bus}
 * wraps every command with {@link #encode} before the connection appends its write terminator, and
 * passes every reply frame through {@link #decode} before the caller sees it.
 *
 * <pre>
 *   asciiPrefix()                       binary(Checksum.crc16Modbus())
 *   command "FLOW?" to "A"              command 03 00 6B 00 03 to 17
 *     wire: A F L O W ? \r                wire: 11 03 00 6B 00 03 76 87
 *   reply   A + 1 4 . 7 0 \r            reply   11 03 06 02 2B 00 00 00 64 &lt;crc lo&gt; &lt;crc hi&gt;
 *     caller sees "+14.70"                caller sees 03 06 02 2B 00 00 00 64
 * </pre>
 *
 * <p>A reply that does not carry the request's address fails that request with a
 * {@link RemoteProtocolException} naming the expected and the actual address; it is never handed to
 * another device's request. A bad checksum fails it with a message naming the expected (computed) and
 * the actual (received) check value. An address of the wrong kind (a number for ASCII prefixes, text
 * for binary) is refused by {@link #encode} with an {@link IllegalArgumentException} naming it.
 *
 * <p>Replies are assumed to be wrapped the way commands are: {@link #encodeReply} (by default
 * {@link #encode}) gives the wire form of a reply payload, which the bus uses to find the end marker of
 * a {@code linesUntil} reply and, with an empty payload, the extra bytes of an {@code Expect.bytes(n)}
 * reply; an addressing whose replies carry nothing of their own (an empty payload encodes to no bytes) may take
 * requests expecting an IEEE 488.2 block. Implementations must be stateless: what a link remembers (the device a
 * Prologix adapter was told last) is kept by the bus per link, through {@link #select}.
 */
public interface Addressing {

    /**
     * The address as a text prefix of command and reply: {@code "A" + "FLOW?"} on the wire, and every
     * reply frame must start with {@code "A"}, which is stripped. Takes text addresses only.
     */
    static Addressing asciiPrefix() {
        return AsciiPrefix.INSTANCE;
    }

    /**
     * One address byte, the payload, then {@code checksum} over address and payload (Modbus RTU style).
     * A reply frame must hold the same address byte and a valid checksum; both are stripped. Takes
     * numeric addresses only.
     */
    static Addressing binary(Checksum checksum) {
        return new Binary(Objects.requireNonNull(checksum, "checksum"));
    }

    /**
     * The command as it goes on the wire (before the connection's write terminator).
     *
     * @throws IllegalArgumentException when this addressing cannot use {@code address}
     */
    byte[] encode(Address address, byte[] payload);

    /**
     * Checks that {@code frame}, one reply frame, came from {@code address} and is intact, and returns
     * what the caller sees: the frame without address and check bytes.
     *
     * @throws RemoteProtocolException when the frame came from another address or is damaged
     */
    Frame decode(Address address, Frame frame);

    /**
     * True when {@code frame} names another device than {@code address}: the bus then discards it
     * ({@link dev.labwire.core.Event.Discarded}, {@code FOREIGN}) and keeps waiting for the reply of {@code address},
     * so a slow device's late reply never fails or answers another device's request. A frame too short or too
     * damaged to name anyone is not foreign ({@link #decode} then fails it). By default no frame is foreign.
     */
    default boolean isForeign(Address address, Frame frame) {
        return false;
    }

    /**
     * The command as it goes on the wire, for the bus request numbered {@code requestId} (1, 2, 3, ... per bus; 0
     * when the bus only checks a request). Protocols that tag each request (the Modbus TCP transaction id) take the
     * tag from it; by default {@link #encode(Address, byte[])}.
     *
     * @throws IllegalArgumentException when this addressing cannot use {@code address}
     */
    default byte[] encode(Address address, byte[] payload, long requestId) {
        return encode(address, payload);
    }

    /**
     * True when {@code frame} cannot answer {@code command}, the bytes the bus wrote for the request awaiting a reply:
     * protocols that tag requests compare the tags (a late reply to an earlier request carries the earlier tag). By
     * default {@link #isForeign(Address, Frame)}.
     */
    default boolean isForeign(Address address, byte[] command, Frame frame) {
        return isForeign(address, frame);
    }

    /**
     * Why {@code frame}, which {@link #isForeign(Address, byte[], Frame)} called foreign, cannot answer {@code command}
     * to {@code address}, for the message of a request that timed out while only such frames came: a device answering
     * for another address, a reply tagged for another request. By default "it names another device than" the address.
     */
    default String whyForeign(Address address, byte[] command, Frame frame) {
        return "it names another device than " + address;
    }

    /**
     * The quiet time after a request to {@code address} that expects no reply, before the next write, when it must
     * differ from {@link BusConfig#turnaround()}: a Modbus broadcast (address 0) is followed by the spec's
     * "turnaround delay" so that every unit can act on it. Empty (the default) means the config's turnaround.
     */
    default java.util.Optional<java.time.Duration> turnaroundAfterWrite(Address address) {
        return java.util.Optional.empty();
    }

    /**
     * The command for {@code request} to {@code address} as it goes on the wire, for the bus request numbered
     * {@code requestId}: addressings whose wire form depends on the reply expected look at {@code request.expect()}
     * (a Prologix query is followed by {@code ++read eoi}, a write is not), and an {@link Expect.Operate} request
     * (accepted only when {@link #operationReply} names its reply) becomes the addressing's own command for the
     * operation. By default {@link #encode(Address, byte[], long)} of the payload.
     *
     * @throws IllegalArgumentException when this addressing cannot use {@code address}
     */
    default byte[] encode(Address address, Request request, long requestId) {
        return encode(address, request.payload(), requestId);
    }

    /**
     * The reply the bus waits for when this addressing runs {@code operation} ({@link #encode(Address, Request, long)}
     * then gives its command), or null when it has no such function: the bus then refuses the request with an
     * {@link UnsupportedOperationException} naming the operation. By default null: every operation is refused.
     */
    default Expect operationReply(Operation operation) {
        return null;
    }

    /**
     * The bytes that make {@code address} the current device of a link whose devices are selected rather than named in
     * every command (a Prologix adapter's {@code ++addr 5}), or none (the default: every command names its device).
     * The bus writes them just before a command when its address is not the one it selected last on this link, always
     * on the first command of a new link (what the other end was told before is unknown), and always before a command
     * the connection may send again on a new link ({@link dev.labwire.core.ConnectionConfig#resends}), since a resent
     * command does not pass through the bus again.
     *
     * @throws IllegalArgumentException when this addressing cannot use {@code address}
     */
    default byte[] select(Address address) {
        return new byte[0];
    }

    /**
     * The quiet time of the whole link after a request to {@code address} ended on the wire without its whole reply
     * (timed out, or its reply broke off), before the next write to any device, when replies do not name their device
     * and the other end may still be busy with the request: a Prologix adapter keeps reading from the instrument for
     * up to its {@code ++read_tmo_ms}, and what it reads then must come (and be discarded) before the next command
     * goes. Empty (the default): only the turnaround, and the device's own {@link BusConfig#lateReplyGrace()}.
     */
    default java.util.Optional<java.time.Duration> quietAfterTimeout(Address address) {
        return java.util.Optional.empty();
    }

    /**
     * The bytes the bus writes (after {@link #select}) before the next command to {@code address} once a request to it
     * ended on the wire without its whole reply, to make the device drop an answer it may still be holding, when
     * replies do not name their request: a GPIB Selected Device Clear ({@code ++clr} on a Prologix adapter) empties
     * the instrument's output queue, so its late answer cannot be read as the answer to the next query. None (the
     * default): nothing is written.
     */
    default byte[] clearAfterTimeout(Address address) {
        return new byte[0];
    }

    /** A reply frame holding {@code payload} from {@code address}, as it is on the wire; by default {@link #encode}. */
    default byte[] encodeReply(Address address, byte[] payload) {
        return encode(address, payload);
    }

    /** The {@link #asciiPrefix()} addressing. */
    enum AsciiPrefix implements Addressing {
        /** The only value. */
        INSTANCE;

        @Override
        public byte[] encode(Address address, byte[] payload) {
            if (address.isNumeric()) {
                throw new IllegalArgumentException("ASCII-prefix addressing takes text addresses such as \"A\": " + address);
            }
            byte[] a = address.bytesNoCopy();
            byte[] out = Arrays.copyOf(a, a.length + payload.length);
            System.arraycopy(payload, 0, out, a.length, payload.length);
            return out;
        }

        @Override
        public Frame decode(Address address, Frame frame) {
            byte[] a = address.bytesNoCopy();
            byte[] f = frame.toByteArray();
            if (!frame.startsWith(a)) {
                throw new RemoteProtocolException("reply from the wrong address: expected " + address + ", got "
                        + Printable.quoted(f, 0, Math.min(a.length, f.length), 16) + " in " + frame);
            }
            return Frame.of(Arrays.copyOfRange(f, a.length, f.length));
        }

        @Override
        public boolean isForeign(Address address, Frame frame) {
            return frame.length() > 0 && !frame.startsWith(address.bytesNoCopy());
        }

        @Override
        public String toString() {
            return "asciiPrefix";
        }
    }

    /**
     * The {@link #binary(Checksum)} addressing.
     *
     * @param checksum the check appended to command and reply
     */
    record Binary(Checksum checksum) implements Addressing {
        /** Refuses a null checksum. */
        public Binary {
            Objects.requireNonNull(checksum, "checksum");
        }

        @Override
        public byte[] encode(Address address, byte[] payload) {
            if (!address.isNumeric()) {
                throw new IllegalArgumentException("binary addressing takes numeric addresses 0..255: " + address);
            }
            byte[] out = new byte[1 + payload.length + checksum.size()];
            out[0] = (byte) address.number();
            System.arraycopy(payload, 0, out, 1, payload.length);
            checksum.write(checksum.compute(out, 0, 1 + payload.length), out, 1 + payload.length);
            return out;
        }

        @Override
        public Frame decode(Address address, Frame frame) {
            byte[] f = frame.toByteArray();
            if (f.length < 1 + checksum.size()) {
                throw new RemoteProtocolException("reply for address " + address + " has " + f.length
                        + " bytes, fewer than address + " + checksum.name() + " (" + (1 + checksum.size()) + " bytes): " + frame);
            }
            try {
                checksum.verify(f);
            } catch (RemoteProtocolException e) {
                throw new RemoteProtocolException("reply for address " + address + ": " + e.getMessage(), e);
            }
            if (f[0] != address.bytesNoCopy()[0]) {
                throw new RemoteProtocolException("reply from the wrong address: expected " + address + ", got "
                        + Address.of(f[0] & 0xFF));
            }
            return Frame.of(Arrays.copyOfRange(f, 1, f.length - checksum.size()));
        }

        @Override
        public boolean isForeign(Address address, Frame frame) {
            return frame.length() >= 1 + checksum.size() && frame.byteAt(0) != address.bytesNoCopy()[0];
        }
    }
}
