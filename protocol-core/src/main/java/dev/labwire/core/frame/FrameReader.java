package dev.labwire.core.frame;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A framer with its own buffer, driven by the three Sans-IO verbs: {@link #receive(ByteBuffer)},
 * {@link #receiveEof()}, and {@link #next()} until it gives {@link FrameResult.NeedData}. Use it for a
 * pure streaming link that needs no request-reply logic, or to test a framer.
 *
 * <pre>{@code
 * FrameReader reader = new FrameReader(LineFramer.lf(4096));
 * reader.receive(ByteBuffer.wrap("+1.0E+00\n+2.".getBytes(US_ASCII)));
 * for (FrameResult r = reader.next(); !(r instanceof FrameResult.NeedData); r = reader.next()) {
 *     if (r instanceof Frame f) use(f);                       // "+1.0E+00"
 *     else if (r instanceof FramingError e) log(e.exception());
 * }
 * }</pre>
 *
 * <p>Where the frames are big (the stream so far consumed {@value #IN_PLACE_FROM} bytes or more per frame, as with
 * blocks, length-field frames, long lines) or one receive brings more than {@value #MAX_APPENDED} bytes,
 * {@code receive} cuts every frame its bytes complete at once, reading a heap buffer in place (see
 * {@link InputBuffer#borrow}): each frame's bytes are copied once, into the frame, and the frames wait, in order,
 * for {@link #next()}. Where they are small, holding them costs more than copying their
 * bytes, so {@code receive} appends the bytes and {@code next()} cuts the frames. Either way, when {@code receive}
 * returns it keeps no reference to {@code data}: the driver may reuse its buffer.
 *
 * <p>Memory: the buffer holds at most about {@code maxFrameLength} bytes (an unfinished frame) plus, for small
 * frames, what one {@code receive} brings (at most {@value #MAX_APPENDED} bytes); the frames cut by one
 * {@code receive} wait until {@code next()} takes them, so drain {@code next()} after each {@code receive}.
 */
public final class FrameReader {
    private static final int STEP = 256;
    /** Bytes consumed per frame from which received bytes are read in place. */
    static final int IN_PLACE_FROM = 128;
    /** The most bytes of one receive appended for {@code next()} to cut; more are read in place whatever the frames. */
    static final int MAX_APPENDED = 64 * 1024;

    private final Framer framer;
    private final InputBuffer buffer = new InputBuffer();
    private final ArrayDeque<FrameResult> ready = new ArrayDeque<>();
    private final int inPlaceFrom;
    private long results;
    private boolean eof;

    /** A reader over {@code framer}, which it alone must use. */
    public FrameReader(Framer framer) {
        this(framer, IN_PLACE_FROM);
    }

    /** As {@link #FrameReader(Framer)}, reading in place from {@code inPlaceFrom} bytes per frame (0: always; tests). */
    FrameReader(Framer framer, int inPlaceFrom) {
        this.framer = Objects.requireNonNull(framer, "framer");
        this.inPlaceFrom = inPlaceFrom;
    }

    /** Takes every remaining byte of {@code data} and cuts the frames they complete; keeps no reference to it. */
    public void receive(ByteBuffer data) {
        if (eof) {
            throw new IllegalStateException("receive after receiveEof");
        }
        if (data.remaining() <= MAX_APPENDED && buffer.position() < (results + 1) * inPlaceFrom) {
            buffer.append(data); // small frames: cut by next()
            return;
        }
        int step = STEP;
        while (data.hasRemaining()) {
            if (buffer.isEmpty() && buffer.borrow(data)) {
                try {
                    decodeAll();
                } finally {
                    buffer.endBorrow();
                }
                return;
            }
            // an unfinished frame is held: append a little at a time until it is cut, then read the rest in place
            int n = buffer.append(data, step);
            decodeAll();
            buffer.unappend(data, n);
            step = Math.min(step * 2, 8192);
        }
    }

    private void decodeAll() {
        for (FrameResult r; (r = framer.decode(buffer)) != FrameResult.NeedData.INSTANCE; ) {
            ready.add(r);
            results++;
        }
    }

    /** The stream has ended; an unfinished frame will come out of {@link #next()} as a TRUNCATED error. */
    public void receiveEof() {
        eof = true;
    }

    /** The next frame or framing error, or {@link FrameResult.NeedData#INSTANCE}. */
    public FrameResult next() {
        FrameResult r = ready.poll();
        if (r != null) {
            return r;
        }
        r = eof ? framer.decodeAtEof(buffer) : framer.decode(buffer);
        if (r != FrameResult.NeedData.INSTANCE) {
            results++;
        }
        return r;
    }

    /** Bytes buffered and not yet part of a frame. */
    public int bufferedBytes() {
        return buffer.readableBytes();
    }

    /** The buffer's own array's size, for memory-bound checks. */
    public int bufferCapacity() {
        return buffer.capacity();
    }
}
