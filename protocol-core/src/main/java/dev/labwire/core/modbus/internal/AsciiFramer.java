package dev.labwire.core.modbus.internal;

import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.frame.LineFramer;
import dev.labwire.core.internal.Durations;
import java.time.Duration;

/**
 * Modbus ASCII frames: lines ended by CR LF, and the Serial Line spec's inter-character timeout (v1.02 section
 * 2.5.2.1: "intervals of up to one second may elapse between characters within the message. Unless the user has
 * configured a longer timeout, an interval greater than 1 second means an error has occurred").
 *
 * <pre>
 *  ":110302"  ...  (more than the timeout)  ...  "2B00BF\r\n"
 *  \_ dropped as incomplete: a TRUNCATED framing error _/  \_ a line of its own, which the addressing refuses _/
 * </pre>
 *
 * When bytes arrive more than the timeout after the previous ones while part of a frame is buffered, that part is
 * dropped and reported as one {@link FramingError} of kind {@code TRUNCATED} naming the gap (the awaited request fails
 * with it); whole lines buffered before the gap are still delivered. Arrival times come from {@link #receiving}; a
 * framer never told the time, or with a zero timeout, cuts lines only. Memory: that of the line framer
 * ({@code maxFrameLength}). Not thread-safe.
 */
public final class AsciiFramer implements Framer {
    private static final byte[] CRLF = {'\r', '\n'};

    private final LineFramer lines;
    private final long timeoutNanos;
    private boolean timed;
    private long lastArrival;
    /** Absolute buffer position where a too-long gap fell, or -1. */
    private long cutAt = -1;
    private long gapNanos;

    /**
     * @param interCharacterTimeout zero (off) or positive: the longest gap allowed inside a frame
     * @param maxFrameLength        the longest line, CR LF excluded
     */
    public AsciiFramer(Duration interCharacterTimeout, int maxFrameLength) {
        this.timeoutNanos = Durations.nanos(Durations.notNegative("interCharacterTimeout", interCharacterTimeout));
        this.lines = LineFramer.crlf(maxFrameLength);
    }

    @Override
    public void receiving(InputBuffer in, long nowNanos) {
        if (timeoutNanos > 0 && timed && !in.isEmpty() && nowNanos - lastArrival > timeoutNanos) {
            cutAt = in.position() + in.readableBytes();
            gapNanos = nowNanos - lastArrival;
        }
        timed = true;
        lastArrival = nowNanos;
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        if (cutAt >= 0) {
            long rel = cutAt - in.position();
            if (rel <= 0) {
                cutAt = -1;
            } else {
                int eol = in.indexOf(CRLF, 0);
                if (eol < 0 || eol + CRLF.length > rel) {   // no whole line before the gap: the rest is a broken frame
                    cutAt = -1;
                    boolean wasDiscarding = lines.isDiscarding();
                    in.skip((int) rel);
                    lines.reset();
                    if (!wasDiscarding) {
                        return FramingError.of(FramingException.Kind.TRUNCATED, "Modbus ASCII: " + rel
                                + " bytes of an unfinished frame dropped: " + Durations.show(Duration.ofNanos(gapNanos))
                                + " passed between characters, more than the inter-character timeout "
                                + Durations.show(Duration.ofNanos(timeoutNanos)) + " (Serial Line v1.02, 2.5.2.1)");
                    }
                }
            }
        }
        return lines.decode(in);
    }

    @Override
    public boolean settle(InputBuffer in) {
        return lines.settle(in);
    }

    @Override
    public boolean isDiscarding() {
        return lines.isDiscarding();
    }

    @Override
    public void reset() {
        lines.reset();
        cutAt = -1;
        timed = false;
    }

    @Override
    public int maxFrameLength() {
        return lines.maxFrameLength();
    }

    @Override
    public String toString() {
        return "AsciiFramer[CR LF, interCharacterTimeout=" + timeoutNanos + " ns]";
    }
}
