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
 * <p>{@code receive} cuts every frame its bytes complete at once, reading a heap buffer in place (see
 * {@link InputBuffer#borrow}): each frame's bytes are copied once, into the frame. When it returns it keeps no
 * reference to {@code data}, so the driver may reuse its buffer; the frames and errors wait, in order, for
 * {@link #next()}.
 *
 * <p>Memory: the buffer holds at most about {@code maxFrameLength} bytes (an unfinished frame); the frames cut
 * by one {@code receive} wait until {@code next()} takes them, so drain {@code next()} after each {@code receive}.
 */
public final class FrameReader {
    private static final int STEP = 256;

    private final Framer framer;
    private final InputBuffer buffer = new InputBuffer();
    private final ArrayDeque<FrameResult> ready = new ArrayDeque<>();
    private boolean eof;

    /** A reader over {@code framer}, which it alone must use. */
    public FrameReader(Framer framer) {
        this.framer = Objects.requireNonNull(framer, "framer");
    }

    /** Takes every remaining byte of {@code data} and cuts the frames they complete; keeps no reference to it. */
    public void receive(ByteBuffer data) {
        if (eof) {
            throw new IllegalStateException("receive after receiveEof");
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
        return eof ? framer.decodeAtEof(buffer) : FrameResult.NeedData.INSTANCE;
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
