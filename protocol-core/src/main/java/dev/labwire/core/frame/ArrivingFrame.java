package dev.labwire.core.frame;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One frame of known length while its bytes arrive (a definite block, a length-field frame): they are moved out of
 * the buffer into the frame's array as they come, so the buffer never gathers the whole frame, or a driver reads them
 * straight into that array through a {@link #window() window} (no copy at all).
 *
 * <p>Memory: no array is ever sized from the announced length alone (a peer may announce a frame and send nothing
 * more). With {@code arrived} the frame's bytes received so far, the arrays held for the frame total at most
 * {@code arrived + max(}{@value #STEP}{@code , }{@value #AHEAD}{@code  x arrived)} bytes, and never more than
 * {@code length + ceil(length / 3)} (the length itself is checked by the framer against its {@code maxFrameLength}).
 * A frame of up to about {@value #STEP} bytes is one array of exactly its length from its first bytes on. A longer one
 * is gathered in chunks, each as large as that rule allows, up to its first {@code ceil(length / 3)} bytes; from then
 * on its whole array may be held, so it is made once, the chunks are copied into it (a third of the frame, the one
 * copy it costs) and the rest arrives straight into it. A 100 MiB block: chunks of about 1, 3, 12 and 17 MiB, then the
 * 100 MiB array (133 MiB allocated, 33 MiB copied again); growing one array four times over took 1, 4, 16, 64 and
 * 100 MiB (185 MiB allocated, 85 MiB copied again). No contiguous array can do better within the rule: the frame's own
 * array may be held only once a third of the frame arrived, and those bytes must be somewhere until then.
 *
 * <p>While its buffer gives views ({@link InputBuffer#isViewing()}), the frame is assembled in the buffer's scratch
 * array instead (grown four times over as above) and given as a view; a frame begun that way and ended without views
 * is copied out. Such a frame offers no window. Not thread-safe: its framer owns it.
 */
final class ArrivingFrame {
    /** The most room beyond what has arrived (when less than that has arrived), in bytes. */
    static final int STEP = 1 << 20;
    /** Otherwise, the most room beyond what has arrived, in times what has arrived. */
    static final int AHEAD = 3;

    private final int length;
    private final int step;   // STEP, but in this package's tests
    private final boolean inScratch;
    private byte[] bytes;     // the array being filled: the frame's own (exactly length bytes), or a chunk
    private int base;         // offset in the frame of bytes[0] (0 but for chunks after the first)
    private int filled;       // the frame's bytes arrived so far
    private byte[][] chunks;  // full chunks before bytes (null when the frame's own array is made)
    private int chunkCount;
    private long held;        // bytes in all arrays held: chunks and bytes
    private ByteBuffer window;  // the window last handed out and not yet accounted for, else null
    private byte[] windowOf;    // the array window wraps (reused for each window over the same array)
    private ByteBuffer windowView;

    /** A frame of {@code length} bytes, whose first bytes are readable in {@code in}. */
    ArrivingFrame(int length, InputBuffer in) {
        this(length, in, STEP);
    }

    /** As {@link #ArrivingFrame(int, InputBuffer)} with {@code step} instead of {@link #STEP} (tests: small chunks). */
    ArrivingFrame(int length, InputBuffer in, int step) {
        this.length = length;
        this.step = step;
        this.inScratch = in.isViewing();
        int arrived = Math.min(length, in.readableBytes());
        if (inScratch) {
            this.bytes = in.scratch(room(arrived), 0);
        } else if (room(arrived) == length) {
            this.bytes = new byte[length];
        } else {
            this.bytes = new byte[(int) Math.min(room(arrived), third())];
            this.chunks = new byte[8][];
        }
        this.held = bytes.length;
    }

    /** The array size for {@code need} bytes arrived: {@code need} plus max({@link #STEP}, {@link #AHEAD} x need), at most the length. */
    private int room(long need) {
        return (int) Math.min(length, need + Math.max(step, AHEAD * need));
    }

    /** The bytes gathered in chunks at most: from there on, the frame's array and the chunks fit the rule together. */
    private long third() {
        return (length + 2L) / 3;
    }

    /** Moves the frame's bytes that are readable out of {@code in}; the frame once it is whole, else null. */
    Frame fill(InputBuffer in) {
        int n = Math.min(in.readableBytes(), length - filled);
        if (n > 0) {
            window = null; // bytes came through the buffer: a window handed out before is stale
        }
        while (n > 0) {
            int free = roomInArray(in);
            int k = Math.min(n, free);
            in.copy(0, bytes, filled - base, k);
            in.skip(k);
            filled += k;
            n -= k;
        }
        return filled < length ? null : whole(in);
    }

    /** Free bytes in {@link #bytes}, which is replaced (a chunk added, or the frame's own array made) when it is full. */
    private int roomInArray(InputBuffer in) {
        int free = base + bytes.length - filled;
        if (free > 0) {
            return free;
        }
        if (inScratch) {
            bytes = in.scratch(room(filled), filled);
            held = bytes.length;
        } else if (chunks != null && filled < third()) {
            if (chunkCount == chunks.length) {
                chunks = Arrays.copyOf(chunks, chunkCount * 2);
            }
            chunks[chunkCount++] = bytes;
            base = filled;
            bytes = new byte[(int) Math.min(Math.max(step, (long) AHEAD * filled), third() - filled)];
            held += bytes.length;
        } else {
            // held so far: the chunks, exactly filled bytes; with the frame's array, filled + length, which the rule
            // allows once 3 x filled >= length
            byte[] own = new byte[length];
            int at = 0;
            for (int i = 0; i < chunkCount; i++) {
                System.arraycopy(chunks[i], 0, own, at, chunks[i].length);
                at += chunks[i].length;
            }
            System.arraycopy(bytes, 0, own, at, filled - base);
            chunks = null;
            chunkCount = 0;
            bytes = own;
            base = 0;
            held = length;
        }
        return base + bytes.length - filled;
    }

    private Frame whole(InputBuffer in) {
        window = null;
        if (in.isViewing()) {
            return in.view(bytes, 0, length);
        }
        return Frame.wrap(inScratch ? Arrays.copyOf(bytes, length) : bytes); // not scratch: exactly length bytes
    }

    /**
     * Where the frame's next bytes may be written, for a driver that reads them straight into the frame: a heap buffer
     * over the free part of the array being filled, from its position (the next byte's place) to its limit (at most
     * the frame's last byte: bytes beyond the frame never land there). Null for a frame assembled in scratch (views).
     * The driver may move the buffer's position and limit; it tells how many bytes it wrote with {@link #windowFilled}.
     * Making room follows the memory rule above: a full array is replaced as {@link #fill} would replace it.
     */
    ByteBuffer window(InputBuffer in) {
        if (inScratch || filled >= length) {
            return null;
        }
        int free = roomInArray(in);
        if (windowOf != bytes) {
            windowView = ByteBuffer.wrap(bytes);
            windowOf = bytes;
        }
        int at = filled - base;
        window = windowView.limit(at + free).position(at);
        return window;
    }

    /**
     * {@code n} bytes were written into {@code w} from the position it had when {@link #window} returned it; false,
     * changing nothing, when {@code w} is not the window last handed out (bytes came through the buffer since, or
     * another window was handed out).
     */
    boolean windowFilled(ByteBuffer w, int n) {
        if (w == null || w != window) {
            return false;
        }
        if (n < 0 || n > base + bytes.length - filled) {
            throw new IllegalArgumentException(n + " bytes cannot have been written into a window of "
                    + (base + bytes.length - filled));
        }
        window = null;
        filled += n;
        return true;
    }

    /** Bytes held in the arrays the frame is gathered in. */
    int capacity() {
        return (int) held;
    }

    /** The frame's length. */
    int length() {
        return length;
    }

    /** The frame's bytes arrived so far. */
    int filled() {
        return filled;
    }

    /** The TRUNCATED error for a stream that ended before the frame was whole; {@code what} names the frame. */
    FramingError truncated(String what) {
        return FramingError.of(FramingException.Kind.TRUNCATED, "end of stream after " + filled + " of the " + length
                + " " + what);
    }
}
