package dev.labwire.core.modbus;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.modbus.internal.RtuLengths;
import java.time.Duration;
import java.util.Objects;

/**
 * Cuts Modbus RTU frames ({@code unit pdu crc-lo crc-hi}) out of a serial byte stream, by two rules.
 *
 * <pre>
 *  length rule   01 03 04 00 0A 00 0B 7B F6 | 01 ...      the header announces 9 bytes: a frame the moment
 *                \___ FC 3, byte count 4 __/              the 9th arrives, no waiting for the silence
 *  silence rule  55 AA ... (silence &ge; frameGap) ... 01 03 04 ...
 *                \_ a frame of its own _/                  bytes before a silence never join the bytes after it
 * </pre>
 *
 * <p><b>Which rule wins.</b> The Serial Line spec (v1.02 section 2.5.1.1) ends a frame by a silence of 3.5
 * character times and calls a gap of more than 1.5 inside a frame an error. Pseudo-terminals and USB adapters do not
 * keep that timing (an adapter delivers what it buffered every few milliseconds; a driver stamps bytes when it reads
 * them), so here:
 * <ol>
 *   <li>the <b>length rule ends a frame</b>: once the function code (and byte count) tell the length, the frame is
 *       delivered when its last byte arrives, without waiting for a silence (which costs a 4 ms wait per reply at
 *       9600 baud and which ptys do not keep anyway);</li>
 *   <li>the <b>silence rule starts one</b>: when bytes arrive at least {@code frameGap} after the previous ones while
 *       a partial frame is buffered, the partial frame is delivered as it is (a reply broken off, or noise) and the new
 *       bytes start a new frame. Whoever reads the frames judges them: the RTU addressing of a bus discards noise
 *       naming another unit and fails a broken reply of the awaited unit with its CRC or length. <b>Unless</b> the
 *       bytes before and after the silence make one whole frame with a good CRC: a driver stamps bytes when it reads
 *       them, so a reader that was late (a USB adapter's 16 ms latency timer, a busy event loop, a GC pause) shows a
 *       silence the wire never had, in the middle of a long reply; such a frame is delivered whole (masters that read
 *       by length, libmodbus with its 500 ms byte timeout, keep it too). Until one of the two is whole (the frame
 *       joined over the silence, or a frame with a good CRC that the new bytes start) the framer waits, holding less
 *       than 256 bytes;</li>
 *   <li>when no rule gives the length (an unknown function code, a byte count past the 256-byte RTU limit) the bytes
 *       buffered are delivered as one frame at once, for the reader to refuse.</li>
 * </ol>
 * <b>Glitch bytes</b> (replies only): an RS485 transceiver that turns to transmit often puts a byte on the line right
 * before the reply, with no silence between (0x00 or 0xFF, seen by the UART as a start bit). Taken as they are, the
 * glitch and the reply make one corrupt frame from "unit 255", and the reply is lost. So one or two leading bytes that no
 * unit answers from (0 is the broadcast address, 248..255 are reserved) or that have a glitch's shape (a start bit and
 * a few more low bits, read as {@code 0xFF << k}: also 0x80, 0xC0, 0xE0 and 0xF0, which are unit addresses) are
 * dropped when the bytes after them make a whole frame with a good CRC; the framer waits for that frame while it is
 * not whole, as for any frame. Bytes that already make a whole frame with a good CRC are kept as they are (a unit at
 * a reserved address, or at 0x80), and so is anything no good frame follows. The cost, for units at 0x80, 0xC0, 0xE0
 * or 0xF0 only: a corrupt reply of theirs that a good frame may still follow is held until that frame is whole or a
 * silence ends the bytes, instead of going to the reader at once. Requests are not treated so: a master's request to
 * address 0 is a broadcast.
 * The 1.5-character rule is not enforced: with reading-time stamps a gap inside a frame cannot be told from a driver
 * that read late. Arrival times come from {@link #receiving}, which a connection calls before every append; a framer
 * never told any time (or with {@code frameGap} zero) uses the length rule alone.
 *
 * <p>{@link #forReplies} frames what units answer (a master's side); {@link #forRequests} frames what a master asks
 * (a unit's side, e.g. a mock device). Frames keep unit and CRC; checking the CRC is the reader's job. Memory: at most
 * 256 bytes are held for one frame ({@link #maxFrameLength()}), plus up to 2 glitch bytes before it. Not thread-safe.
 */
public final class RtuFramer implements Framer {
    private static final dev.labwire.core.bus.Checksum CRC = dev.labwire.core.bus.Checksum.crc16Modbus();
    /** The most glitch bytes dropped before one reply. */
    private static final int MAX_GLITCH = 2;
    private static final int WAIT = -1;
    private final boolean replies;
    private final long gapNanos;
    private boolean timed;
    private long lastArrival;
    /** Absolute buffer position where a silence fell, or -1. */
    private long cutAt = -1;

    private RtuFramer(boolean replies, Duration frameGap) {
        this.replies = replies;
        this.gapNanos = Durations.nanos(Durations.notNegative("frameGap", Objects.requireNonNull(frameGap, "frameGap")));
    }

    /** A framer of units' replies (FC 1..6, 15, 16, 23 and exception responses); {@code frameGap} zero or positive. */
    public static RtuFramer forReplies(Duration frameGap) {
        return new RtuFramer(true, frameGap);
    }

    /** A framer of masters' requests (FC 1..6, 15, 16, 23); {@code frameGap} zero or positive. */
    public static RtuFramer forRequests(Duration frameGap) {
        return new RtuFramer(false, frameGap);
    }

    @Override
    public void receiving(InputBuffer in, long nowNanos) {
        if (gapNanos > 0 && timed && !in.isEmpty() && nowNanos - lastArrival >= gapNanos) {
            cutAt = in.position() + in.readableBytes();
        }
        timed = true;
        lastArrival = nowNanos;
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        int avail = in.readableBytes();
        if (avail == 0) {
            return FrameResult.NeedData.INSTANCE;
        }
        int limit = avail;
        boolean cut = false;
        if (cutAt >= 0) {
            long rel = cutAt - in.position();
            if (rel <= 0) {
                cutAt = -1;
            } else {
                limit = (int) Math.min(rel, avail);
                cut = true;
            }
        }
        if (replies) {
            int glitch = glitchBytes(in, limit, cut);
            if (glitch == WAIT) {
                return FrameResult.NeedData.INSTANCE;
            }
            if (glitch > 0) {
                in.skip(glitch); // cutAt is absolute: it stays where the silence fell
                avail -= glitch;
                limit -= glitch;
            }
        }
        int len = replies ? RtuLengths.reply(in, limit) : RtuLengths.request(in, limit);
        if (len > 0 && len <= limit) {
            if (cut && len == limit) {
                cutAt = -1;
            }
            return Frame.of(in.take(len));
        }
        if (cut) {
            int joined = length(in, 0, avail);
            if (joined > limit) {
                if (joined <= avail) {
                    if (crcGood(in, 0, joined)) { // a reader that was late, not a silence on the wire: one frame
                        cutAt = -1;
                        return Frame.of(in.take(joined));
                    }
                } else {
                    // the bytes after the silence may be a frame of their own (a reply after noise): cut only once it
                    // is whole and good, since the middle of a long reply often looks like a short frame's start
                    int after = length(in, limit, avail - limit);
                    if (after <= 0 || after > avail - limit || !crcGood(in, limit, after)) {
                        return FrameResult.NeedData.INSTANCE; // neither the joined frame nor the one after it is whole yet
                    }
                }
            } else if (joined == RtuLengths.NEED) {
                return FrameResult.NeedData.INSTANCE;
            }
            cutAt = -1;
            return Frame.of(in.take(limit));
        }
        if (len == RtuLengths.UNKNOWN) {
            return Frame.of(in.take(avail));
        }
        return FrameResult.NeedData.INSTANCE;
    }

    /**
     * How many glitch bytes start the buffered bytes (at most {@link #MAX_GLITCH}): bytes no unit answers from
     * (address 0 is the broadcast, 248..255 are reserved; Serial Line v1.02 section 2.2) or of a glitch's shape
     * ({@link #mayBeGlitch}) right before a frame with a good CRC, as an RS485 transceiver puts on the line when it
     * turns to transmit. 0 when the bytes start with any other address, or when they make a good frame as they are, or when no good frame follows the suspect bytes;
     * {@link #WAIT} while a frame after them is not yet whole (and no silence has ended the bytes).
     */
    private int glitchBytes(InputBuffer in, int limit, boolean cut) {
        int suspect = 0;
        while (suspect < MAX_GLITCH && suspect < limit && mayBeGlitch(in.getUnsigned(suspect))) {
            suspect++;
        }
        if (suspect == 0) {
            return 0;
        }
        int asIs = length(in, 0, limit);
        if (asIs > 0 && asIs <= limit && crcGood(in, 0, asIs)) {
            return 0; // a unit at a reserved address (some do answer there): a whole frame with a good CRC is a frame
        }
        boolean pending = false;
        for (int skip = 1; skip <= suspect; skip++) {
            int after = length(in, skip, limit - skip);
            if (after > 0 && skip + after <= limit) {
                if (crcGood(in, skip, after)) {
                    return skip;
                }
            } else if (after == RtuLengths.NEED || after > 0) {
                pending = true;
            }
        }
        return pending && !cut ? WAIT : 0;
    }

    /**
     * Whether {@code b} may be a turn-around glitch rather than the address a reply starts with: an address no unit
     * answers from (0, 248..255), or a glitch's shape. A glitch is a start bit and a few more low bits before the
     * line goes high again; the UART reads it least significant bit first as {@code 0xFF << k}: 0xFF, 0xFE, 0xFC,
     * 0xF8 (reserved addresses), 0xF0, 0xE0, 0xC0, 0x80 (addresses a unit may answer from, so a whole frame with a
     * good CRC from them is kept) and 0x00.
     */
    private static boolean mayBeGlitch(int b) {
        boolean answering = b >= 1 && b <= 247;
        return !answering || (((b ^ 0xFF) + 1) & (b ^ 0xFF)) == 0; // b ^ 0xFF is 2^k - 1 exactly for 0xFF << k
    }

    private int length(InputBuffer in, int from, int limit) {
        return replies ? RtuLengths.reply(in, from, limit) : RtuLengths.request(in, from, limit);
    }

    private static boolean crcGood(InputBuffer in, int from, int length) {
        byte[] f = new byte[length];
        in.copy(from, f, 0, length);
        return CRC.compute(f, 0, length - 2) == CRC.read(f, length - 2);
    }

    @Override
    public boolean isDiscarding() {
        return false;
    }

    @Override
    public void reset() {
        cutAt = -1;
        timed = false;
    }

    @Override
    public int maxFrameLength() {
        return RtuLengths.MAX_ADU;
    }

    @Override
    public String toString() {
        return "RtuFramer[" + (replies ? "replies" : "requests") + ", frameGap=" + gapNanos + " ns]";
    }
}
