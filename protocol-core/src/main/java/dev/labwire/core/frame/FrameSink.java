package dev.labwire.core.frame;

import java.nio.ByteBuffer;

/**
 * Takes the frames of {@link FrameReader#receive(ByteBuffer, FrameSink)} as views, for a consumer that is done with
 * each frame when its call returns (a decoder of samples, a writer to a file): no frame is copied into an array of its
 * own unless its bytes had to be assembled or decoded, as a Netty decoder hands out slices of its buffer.
 *
 * <p>Calls come in stream order on the thread that called {@code receive}, during that call. Neither method may call
 * the reader back. A sink that throws ends the {@code receive}: the exception propagates, the bytes of that receive
 * are all taken (as when it returns normally), and frames its bytes would have completed after the one that threw
 * are cut by the next call.
 */
public interface FrameSink {

    /**
     * One frame: its bytes are those of {@code frame} between its position and its limit. The buffer is read-only and
     * valid only until this method returns: it may show the driver's buffer or one the reader reuses. Copy what must
     * be kept ({@link Frame#of(byte[])} after {@code get}).
     */
    void frame(ByteBuffer frame);

    /** A framing error (an oversized, malformed or truncated frame); the framer goes on with the next frame. */
    void error(FramingError error);
}
