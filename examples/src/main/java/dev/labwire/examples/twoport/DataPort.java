package dev.labwire.examples.twoport;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.LengthFieldFramer;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The data port of the two-port device: a stream of length-prefixed binary frames and no requests at all, so
 * every frame is classified as pushed ({@link FrameClassifier#ALL_PUSHED}) and read with {@link #next}. Each
 * frame is a 2-byte big-endian length, then a 4-byte sequence number and 16-bit signed samples.
 */
public final class DataPort implements AutoCloseable {
    /** One decoded data frame. */
    public record Sample(long sequence, short[] channels) {
    }

    private final BlockingClient client;

    /** Opens the data port at {@code endpoint}; frames above 4 KiB are refused by the framer. */
    public DataPort(String endpoint) {
        this.client = BlockingClient.builder(endpoint)
                .config(ConnectionConfig.builder()
                        .framing(max -> LengthFieldFramer.builder().lengthFieldWidth(2).bytesToStrip(2).maxFrameLength(max).build())
                        .maxFrameLength(4096)
                        .classifier(FrameClassifier.ALL_PUSHED)
                        .build())
                .pushedQueueCapacity(4096)
                .build();
    }

    /** The next frame, waiting up to {@code timeout}; null if none came. */
    public Sample next(Duration timeout) {
        Frame f = client.pollPushed(timeout);
        if (f == null) {
            return null;
        }
        ByteBuffer b = f.asReadOnlyBuffer();
        long seq = Integer.toUnsignedLong(b.getInt());
        short[] ch = new short[b.remaining() / 2];
        for (int i = 0; i < ch.length; i++) {
            ch[i] = b.getShort();
        }
        return new Sample(seq, ch);
    }

    /** Frames dropped because the poll queue was full (the reader fell behind). */
    public long dropped() {
        return client.droppedPushed();
    }

    /** Waits until the link is up. */
    public DataPort awaitReady(Duration timeout) {
        client.awaitReady(timeout);
        return this;
    }

    @Override
    public void close() {
        client.close();
    }
}
