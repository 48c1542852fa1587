package dev.labwire.core.frame;

/**
 * Cuts a byte stream into frames. One class per strategy: {@link LineFramer}, {@link BlockFramer},
 * {@link LengthFieldFramer}, {@link FixedLengthFramer}, {@link CobsFramer}, {@link SlipFramer}.
 *
 * <p>A framer reads from an {@link InputBuffer} it does not own, so a connection can switch framers
 * between replies (a line, then an IEEE 488.2 block) over one buffer. Every framer
 * <ul>
 *   <li>is bounded: it never waits for more than {@link #maxFrameLength()} bytes of one frame; a longer
 *       frame gives one {@link FramingError} of kind {@code TOO_LONG} naming both lengths as soon as the
 *       limit is passed, then the rest of that frame is discarded up to the next frame boundary;</li>
 *   <li>recovers: after any {@link FramingError} the next call continues with the next frame;</li>
 *   <li>never rescans bytes it has already searched (it keeps its progress as an absolute
 *       {@link InputBuffer#position()}), so feeding a frame byte by byte costs O(length), not O(length²).</li>
 * </ul>
 * Framers are not thread-safe. Their state is small and fixed in size.
 */
public interface Framer {

    /**
     * Tries to cut the next frame from the readable bytes of {@code in}, consuming the bytes of the frame
     * (and its delimiters) when it does. Bytes being discarded after an error are consumed as they arrive.
     *
     * @return a {@link Frame}, a {@link FramingError}, or {@link FrameResult.NeedData#INSTANCE}
     */
    FrameResult decode(InputBuffer in);

    /**
     * The stream has ended: gives the frames still whole in {@code in} one call at a time, then, if bytes
     * of an unfinished frame remain, one {@link FramingError} of kind {@code TRUNCATED} that consumes them,
     * then {@link FrameResult.NeedData#INSTANCE}. Framers whose frames end at end of stream (none today)
     * override it.
     */
    default FrameResult decodeAtEof(InputBuffer in) {
        FrameResult r = decode(in);
        if (r != FrameResult.NeedData.INSTANCE) {
            return r;
        }
        boolean wasDiscarding = isDiscarding();
        reset();
        int left = in.skipAll();
        if (left == 0 || wasDiscarding) {
            return FrameResult.NeedData.INSTANCE;
        }
        return FramingError.of(FramingException.Kind.TRUNCATED,
                "end of stream after " + left + " bytes of an unfinished frame");
    }

    /**
     * Consumes bytes that still belong to the delimiters of the last frame, before another framer takes
     * over the buffer: the {@code \n} of a {@code \r\n} after an any-EOL line, the optional terminator
     * after an IEEE 488.2 block. Returns false while the readable bytes are too few to decide (wait for
     * more), true once settled. The default has nothing to settle.
     */
    default boolean settle(InputBuffer in) {
        return true;
    }

    /**
     * Bytes are about to be appended to {@code in}, having arrived at {@code nowNanos} (the driver's
     * {@code System.nanoTime()} when it read them). Framers whose frame boundary is a silence on the line
     * (Modbus RTU's 3.5 character times) note it here; the bytes readable in {@code in} now all arrived
     * earlier. Called by a connection before every append (or {@link InputBuffer#borrow borrow}) of received bytes
     * to the framer it was built with, possibly more than once for the bytes of one receive (with the same
     * {@code nowNanos}); the default ignores time.
     */
    default void receiving(InputBuffer in, long nowNanos) {
    }

    /**
     * Where a driver may write the next received bytes itself, straight into the frame that is arriving, instead of
     * handing them to {@link #decode} through {@code in} (which copies them into the frame): a heap buffer whose
     * position is the place of the frame's next byte and whose limit is at most the frame's last byte, so bytes
     * beyond the frame (a terminator, the next reply) never land there. Only while a frame of known length is
     * arriving (a definite IEEE 488.2 block, a length-field frame) and {@code in} holds no byte; null otherwise, and
     * always by default.
     *
     * <pre>
     *   |#9000000100|&lt;100 bytes: 40 arrived&gt;|\n|...
     *                 ^ window: position 40 of the frame's array, limit 100 (its end)
     * </pre>
     *
     * <p>The driver reads into the buffer (it may move the buffer's position and lower its limit), then reports the
     * count with {@link #receivedInWindow}, and calls {@link #decode} as after any receive: it gives the frame once it
     * is whole. Asking again hands out the same free room again. Making room may replace the frame's array within the
     * framer's memory rule (room is paid for by bytes that arrived, never sized from the announced length alone).
     */
    default java.nio.ByteBuffer receiveWindow(InputBuffer in) {
        return null;
    }

    /**
     * {@code n} bytes were written into {@code window}, the buffer the latest {@link #receiveWindow} returned, from the
     * position it had then: they are the frame's next bytes. Returns false, changing nothing, when {@code window} is
     * not the one handed out last or bytes came through {@link #decode} since (the driver then hands the same bytes to
     * {@code decode} through the buffer, as it would have without a window). Fails with
     * {@link IllegalArgumentException} when {@code n} is negative or more than the window held. False by default.
     */
    default boolean receivedInWindow(java.nio.ByteBuffer window, int n) {
        return false;
    }

    /**
     * The bytes of an unfinished frame held now: those in {@code in} and any the framer gathers itself (a length-field
     * frame's body as it arrives); 0 when none. A connection names them when a request times out, so that a reply that
     * came but never made a whole frame (a wrong terminator, a length field or byte count that lies, a frame broken
     * off) is not reported as no reply at all. By default those in {@code in}.
     */
    default int heldBytes(InputBuffer in) {
        return in.readableBytes();
    }

    /** True while the rest of a bad frame is being discarded up to the next boundary. */
    boolean isDiscarding();

    /** Forgets any partial scan or discard state; the next {@link #decode} starts a fresh frame. */
    void reset();

    /** The largest frame this framer delivers, in bytes. */
    int maxFrameLength();
}
