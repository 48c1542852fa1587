package dev.labwire.core;

import dev.labwire.core.frame.BlockFramer;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.InputBuffer;
import java.nio.ByteBuffer;

/**
 * The end of line of a definite IEEE 488.2 block ({@code #<n><len><data>}) that comes late, for a
 * {@link ReplyMatcher}: before the echo of the next write (the device finished its reply before the write went out), or
 * after status pushes that landed between the block and its end of line (the device wrote the two in two writes).
 * Either way it is the block's trailer, never a byte of an echo nor an empty reply to the next request.
 *
 * <p>Separate from the matcher because it is one device quirk with state of its own (the block last cut, whether its
 * trailer may still come after pushes) that the matcher only asks about and resets with its framing. Not thread-safe.
 */
final class LateBlockTrailers {
    /** The block framer that cut the latest block, until the next frame of the base framing; else null. */
    private BlockFramer lastBlock;

    /**
     * A definite block was followed by a pushed line before its end of line: the device wrote its block and the
     * block's end of line in two writes and a status push landed between them. The first empty line before any other
     * reply is then that end of line, not an empty reply to the next request. Any frame that is not pushed ends this.
     */
    private boolean trailerAfterPushes;

    /**
     * A block's trailer still owed comes before the echo of the next write: the device finished its reply before the
     * write went out. An echo never starts with CR or LF unless the command does, so such a byte is the trailer's: it
     * is taken from {@code data} into {@code input} and settled by the block framer ({@code current}).
     */
    static boolean trailerBeforeEcho(ByteBuffer data, Framer current, EchoCheck echo, InputBuffer input) {
        if (!(current instanceof BlockFramer bf) || !bf.isTrailerOwed()) {
            return false;
        }
        int b = data.get(data.position()) & 0xFF;
        if ((b != '\r' && b != '\n') || echo.firstByteIfNotStarted() < 0 || echo.firstByteIfNotStarted() == b) {
            return false;
        }
        ByteBuffer one = data.duplicate();
        one.limit(one.position() + 1);
        data.position(data.position() + 1);
        input.append(one, 1);
        bf.settle(input);
        return true;
    }

    /**
     * True when {@code frame} is the late end of line of a block that pushed lines came after (and swallows it);
     * {@code current} is the framer that cut {@code frame}.
     */
    boolean isBlockTrailerAfterPushes(Frame frame, boolean fromBaseFraming, boolean pushed, Framer current) {
        if (!fromBaseFraming) {
            lastBlock = current instanceof BlockFramer bf ? bf : null;
            trailerAfterPushes = false;
            return false;
        }
        if (lastBlock != null) {
            trailerAfterPushes = pushed && lastBlock.isTrailerMissing();
            lastBlock = null;
            return false;
        }
        if (trailerAfterPushes && !pushed) {
            trailerAfterPushes = false;
            return frame.length() == 0;
        }
        return false;
    }

    /** Framing restarts: no block was cut. */
    void reset() {
        lastBlock = null;
        trailerAfterPushes = false;
    }
}
