package dev.labwire.core.modbus;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Framing;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.modbus.internal.AsciiAddressing;
import dev.labwire.core.modbus.internal.MbapAddressing;
import dev.labwire.core.modbus.internal.RtuAddressing;
import java.time.Duration;
import java.util.Objects;

/**
 * Bus settings for Modbus RTU, ASCII and TCP: a {@link dev.labwire.core.bus.Bus} with one of these configs carries
 * Modbus {@link ModbusCall}s to units by number; the clients' Modbus unit handles build on it.
 *
 * <table>
 *   <caption>What each config sets</caption>
 *   <tr><th>config</th><th>framing</th><th>addressing</th><th>turnaround</th><th>after a broadcast</th></tr>
 *   <tr><td>{@link #rtu(int)}</td><td>{@link RtuFramer} (length rule, then a silence of {@code frameGap})</td>
 *       <td>{@code unit pdu crc16}; units 0 (broadcast), 1..247</td><td>t3.5 ({@link #silentInterval})</td>
 *       <td>{@link #DEFAULT_BROADCAST_DELAY}</td></tr>
 *   <tr><td>{@link #ascii()}</td><td>lines ended by CR LF</td><td>{@code ':' hex(unit pdu lrc) CR LF}</td><td>0</td>
 *       <td>{@link #DEFAULT_BROADCAST_DELAY}</td></tr>
 *   <tr><td>{@link #tcp()}</td><td>MBAP length field</td><td>{@code tid 0 len unit pdu}; units 0..255; the transaction
 *       id matches replies</td><td>0</td><td>- (unit 0 is an ordinary unit on TCP)</td></tr>
 * </table>
 *
 * <p>Every config keeps the connection defaults otherwise (timeouts, queue bound, reconnect); change them with
 * {@code Modbus.rtu(9600).toBuilder()...}. One exchange is on the wire at a time, also on TCP (the bus's rule: a
 * Modbus TCP gateway in front of a serial line serves one at a time anyway); MBAP would allow pipelining, which this
 * bus does not do yet. A late reply on RTU/ASCII is kept from the next request to the same unit by the bus's
 * {@code lateReplyGrace} (replies carry no tag there); on TCP the transaction id tells it, so the grace is zero.
 *
 * <p>The broadcast delay, like every turnaround of the bus, counts from when the driver is handed the bytes, so the
 * broadcast's own time on the wire (about 1 ms per byte at 9600 baud) comes out of it. Modbus ASCII keeps the
 * spec's 1 s inter-character timeout ({@link #ascii(Duration)}).
 */
public final class Modbus {
    /** The quiet time after a broadcast: 100 ms, the low end of the Serial Line spec's typical 100..200 ms. */
    public static final Duration DEFAULT_BROADCAST_DELAY = Duration.ofMillis(100);
    /** The longest silence between two characters of a Modbus ASCII frame: 1 s (Serial Line v1.02 section 2.5.2.1). */
    public static final Duration ASCII_INTER_CHARACTER_TIMEOUT = Duration.ofSeconds(1);
    /** The least frame gap {@link #rtu(int)} uses: 20 ms, above a USB adapter's 16 ms latency timer. */
    public static final Duration MIN_DEFAULT_FRAME_GAP = Duration.ofMillis(20);

    private Modbus() {
    }

    /**
     * t3.5, the silent interval that ends an RTU frame (Serial Line v1.02 section 2.5.1.1): 3.5 characters of 11 bits
     * up to 19200 baud, a fixed 1.75 ms above it. 9600 baud gives 4010 µs.
     *
     * @throws IllegalArgumentException when {@code baud} is not positive
     */
    public static Duration silentInterval(int baud) {
        return charTimes(baud, 35, 1_750_000);
    }

    /** t1.5, the longest gap inside an RTU frame: 1.5 characters up to 19200 baud, a fixed 750 µs above it. */
    public static Duration interCharacterTimeout(int baud) {
        return charTimes(baud, 15, 750_000);
    }

    private static Duration charTimes(int baud, int tenths, long fixedNanos) {
        if (baud <= 0) {
            throw new IllegalArgumentException("baud must be positive: " + baud);
        }
        return baud > 19200 ? Duration.ofNanos(fixedNanos) : Duration.ofNanos(tenths * 11L * 100_000_000L / baud);
    }

    /**
     * Modbus RTU at {@code baud}: frame gap {@code max(t3.5, 20 ms)} (drivers stamp bytes when they read them, and
     * adapters deliver in bursts, so the spec's 1.75..4 ms would cut replies; the length rule still ends each frame at
     * once, so the wider gap costs no time), turnaround t3.5.
     */
    public static BusConfig rtu(int baud) {
        Duration t35 = silentInterval(baud);
        return rtu(baud, t35.compareTo(MIN_DEFAULT_FRAME_GAP) > 0 ? t35 : MIN_DEFAULT_FRAME_GAP);
    }

    /** Modbus RTU at {@code baud} with the given frame gap (see {@link RtuFramer}); zero uses the length rule alone. */
    public static BusConfig rtu(int baud, Duration frameGap) {
        Objects.requireNonNull(frameGap, "frameGap");
        RtuFramer.forReplies(frameGap); // validates it
        ConnectionConfig cc = ConnectionConfig.builder().framing(max -> RtuFramer.forReplies(frameGap)).writeTerminator("")
                .maxFrameLength(256).build();
        return BusConfig.builder().connection(cc).addressing(rtuAddressing()).turnaround(silentInterval(baud)).build();
    }

    /**
     * Modbus ASCII: lines of at most 513 bytes ended by CR LF, with the spec's {@link #ASCII_INTER_CHARACTER_TIMEOUT}
     * of 1 s: part of a frame followed by a longer silence is dropped as incomplete, failing the awaited request with a
     * {@link dev.labwire.core.frame.FramingException} (kind {@code TRUNCATED}) that names the gap.
     */
    public static BusConfig ascii() {
        return ascii(ASCII_INTER_CHARACTER_TIMEOUT);
    }

    /**
     * Modbus ASCII with another inter-character timeout ("unless the user has configured a longer timeout", Serial
     * Line v1.02 section 2.5.2.1); zero turns the rule off (frames end at CR LF only). Gaps are measured between the
     * times the driver read the bytes, so a driver that reads late can only make a gap look shorter.
     *
     * @throws IllegalArgumentException when {@code interCharacterTimeout} is negative
     */
    public static BusConfig ascii(Duration interCharacterTimeout) {
        Objects.requireNonNull(interCharacterTimeout, "interCharacterTimeout");
        new dev.labwire.core.modbus.internal.AsciiFramer(interCharacterTimeout, 513); // validates it
        ConnectionConfig cc = ConnectionConfig.builder()
                .framing(max -> new dev.labwire.core.modbus.internal.AsciiFramer(interCharacterTimeout, max))
                .writeTerminator("\r\n").maxFrameLength(513).build();
        return BusConfig.builder().connection(cc).addressing(asciiAddressing()).build();
    }

    /**
     * Modbus TCP: MBAP frames of at most 260 bytes, late replies told by their transaction id. A header that is no
     * Modbus one (protocol id not 0, or a length outside 2..254) is not followed: the bytes up to the next header are
     * skipped, so a reply whose length field lies costs that call, not the calls after it.
     */
    public static BusConfig tcp() {
        ConnectionConfig cc = ConnectionConfig.builder()
                .framing(max -> new dev.labwire.core.modbus.internal.MbapFramer())
                .writeTerminator("").maxFrameLength(260).build();
        return BusConfig.builder().connection(cc).addressing(tcpAddressing()).lateReplyGrace(Duration.ZERO).build();
    }

    /** The RTU addressing: {@code unit pdu crc-lo crc-hi}, broadcast delay {@link #DEFAULT_BROADCAST_DELAY}. */
    public static Addressing rtuAddressing() {
        return rtuAddressing(DEFAULT_BROADCAST_DELAY);
    }

    /** The RTU addressing with its own quiet time after a broadcast (zero or positive). */
    public static Addressing rtuAddressing(Duration broadcastDelay) {
        return new RtuAddressing(dev.labwire.core.internal.Durations.notNegative("broadcastDelay", broadcastDelay));
    }

    /** The ASCII addressing: {@code ':' hex(unit pdu lrc)}, broadcast delay {@link #DEFAULT_BROADCAST_DELAY}. */
    public static Addressing asciiAddressing() {
        return new AsciiAddressing(DEFAULT_BROADCAST_DELAY);
    }

    /** The TCP addressing: the MBAP header, transaction id = the bus's request number modulo 65536. */
    public static Addressing tcpAddressing() {
        return MbapAddressing.INSTANCE;
    }

    /** The LRC of Modbus ASCII over {@code data}: the two's complement of the byte sum, 0..255. */
    public static int lrc(byte[] data) {
        return dev.labwire.core.modbus.internal.Hex.lrc(data, 0, data.length);
    }
}
