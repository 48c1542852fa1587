package dev.labwire.examples.twoport;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.frame.InputBuffer;

/**
 * A custom {@link Framer}: one frame per reply of the two-port device's control port, whatever its shape.
 * A reply is either one line ({@code OK}, {@code OK =value}, {@code ERR text}) or a list of lines starting with
 * {@code !} ended by a line holding only {@code .}; lines end with {@code \n} (a {@code \r} before it is
 * dropped). A list comes out as one frame: its {@code !} lines joined by {@code \n}, without the {@code .}.
 * Because every reply is one frame, every command is an {@code Expect.frame()} and an {@code ERR} answer to a
 * list command ends its exchange at once (with {@code Expect.linesUntil(".")} it would wait for a {@code .}
 * that never comes).
 *
 * <p>Bounded like the core's framers: a reply longer than {@code maxFrameLength} gives one {@code TOO_LONG}
 * error and is discarded to its end. It keeps its scan position, so bytes arriving one at a time are scanned
 * once.
 */
public final class ControlReplyFramer implements Framer {
    private final int max;
    private int scanned;         // readable bytes already searched for '\n' in the current reply
    private boolean discarding;  // dropping the rest of a reply that was too long
    private boolean discardList; // ... and that reply is a ! list, so it ends at a "." line
    private boolean midLine;     // while discarding: the readable bytes start inside a line

    /** A framer delivering replies of at most {@code maxFrameLength} bytes. */
    public ControlReplyFramer(int maxFrameLength) {
        if (maxFrameLength < 1) {
            throw new IllegalArgumentException("maxFrameLength must be at least 1: " + maxFrameLength);
        }
        this.max = maxFrameLength;
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        if (discarding && !discard(in)) {
            return FrameResult.NeedData.INSTANCE;
        }
        boolean list = in.readableBytes() > 0 && in.get(0) == '!';
        while (true) {
            int nl = in.indexOf((byte) '\n', scanned);
            if (nl < 0) {
                scanned = in.readableBytes();
                return scanned > max ? tooLong(list) : FrameResult.NeedData.INSTANCE;
            }
            int lineStart = nl;
            while (lineStart > 0 && in.get(lineStart - 1) != '\n') {
                lineStart--;
            }
            if (!list || isDot(in, lineStart, nl)) {
                int end = list ? lineStart - 1 : nl; // a list: up to the \n before the "." line
                if (end > 0 && in.get(end - 1) == '\r') {
                    end--;
                }
                scanned = 0;
                if (end > max) {
                    in.skip(nl + 1); // the whole reply is here: drop it, no discarding needed
                    return error(end);
                }
                byte[] frame = in.take(end);
                in.skip(nl + 1 - end);
                return Frame.of(frame);
            }
            scanned = nl + 1;
            if (scanned > max) {
                return tooLong(true);
            }
        }
    }

    private static boolean isDot(InputBuffer in, int lineStart, int nl) {
        int len = nl - lineStart;
        return in.get(lineStart) == '.' && (len == 1 || len == 2 && in.get(lineStart + 1) == '\r');
    }

    /** Drops bytes of a too-long reply as they come; true once its end was passed. */
    private boolean discard(InputBuffer in) {
        while (true) {
            int nl = in.indexOf((byte) '\n', 0);
            if (nl < 0) {
                int r = in.readableBytes();
                if (midLine || r > 2) { // at most ".\r" is kept, in case it starts the end line
                    in.skip(r);
                    midLine = true;
                }
                return false;
            }
            boolean dot = !midLine && isDot(in, 0, nl);
            in.skip(nl + 1);
            midLine = false;
            if (!discardList || dot) {
                discarding = false;
                return true;
            }
        }
    }

    private FrameResult tooLong(boolean list) {
        discarding = true;
        discardList = list;
        midLine = false;
        scanned = 0;
        return error(-1);
    }

    private FrameResult error(int length) {
        return FramingError.of(FramingException.Kind.TOO_LONG, "control reply longer than " + max + " bytes"
                + (length < 0 ? "; discarding it to its end" : " (" + length + ")"));
    }

    @Override
    public boolean isDiscarding() {
        return discarding;
    }

    @Override
    public void reset() {
        scanned = 0;
        discarding = false;
        midLine = false;
    }

    @Override
    public int maxFrameLength() {
        return max;
    }
}
