package dev.labwire.core.frame;

import java.nio.ByteBuffer;
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
 * <p>Memory: the buffer holds at most {@code maxFrameLength} bytes plus what one {@code receive} call
 * brings, provided {@code next()} is drained after each {@code receive}.
 */
public final class FrameReader {
    private final Framer framer;
    private final InputBuffer buffer = new InputBuffer();
    private boolean eof;

    /** A reader over {@code framer}, which it alone must use. */
    public FrameReader(Framer framer) {
        this.framer = Objects.requireNonNull(framer, "framer");
    }

    /** Appends received bytes. */
    public void receive(ByteBuffer data) {
        if (eof) {
            throw new IllegalStateException("receive after receiveEof");
        }
        buffer.append(data);
    }

    /** The stream has ended; an unfinished frame will come out of {@link #next()} as a TRUNCATED error. */
    public void receiveEof() {
        eof = true;
    }

    /** The next frame or framing error, or {@link FrameResult.NeedData#INSTANCE}. */
    public FrameResult next() {
        return eof ? framer.decodeAtEof(buffer) : framer.decode(buffer);
    }

    /** Bytes buffered and not yet part of a frame. */
    public int bufferedBytes() {
        return buffer.readableBytes();
    }

    /** The backing array's size, for memory-bound checks. */
    public int bufferCapacity() {
        return buffer.capacity();
    }
}
