package dev.labwire.core.frame;

import java.nio.ByteOrder;

/**
 * Cuts frames whose header holds their length, with the semantics of Netty's
 * {@code LengthFieldBasedFrameDecoder}: the whole frame is
 * {@code lengthFieldOffset + lengthFieldWidth + value + lengthAdjustment} bytes, the value is unsigned,
 * and the first {@code bytesToStrip} bytes are cut off the delivered frame.
 *
 * <pre>
 * defaults (offset 0, width 2, big-endian, adjustment 0, strip 0):
 *   before  |00 05|H E L L O|         after  |00 05|H E L L O|     (7 bytes: the header stays)
 * bytesToStrip(2):
 *   before  |00 05|H E L L O|         after  |H E L L O|
 * lengthFieldOffset(1), lengthAdjustment(-3), bytesToStrip(3)   (the length counts the whole frame):
 *   before  |A5|00 08|H E L L O|      after  |H E L L O|
 * </pre>
 *
 * <p>Knobs and defaults: {@code lengthFieldOffset} 0 (bytes before the length field), {@code lengthFieldWidth}
 * 2 (1, 2 or 4 bytes), {@code byteOrder} big-endian, {@code lengthAdjustment} 0 (added to the value),
 * {@code bytesToStrip} 0, {@code maxFrameLength} 65536 (counts the whole frame, header included, before
 * stripping, as in Netty; {@code lengthFieldOffset + lengthFieldWidth} must not exceed it).
 *
 * <p>Failures, each one {@link FramingError}, after which decoding continues:
 * <ul>
 *   <li>{@code TOO_LONG}: the frame is longer than {@code maxFrameLength}; reported once the length field
 *       is read, with both numbers; exactly that many bytes are then discarded as they arrive.</li>
 *   <li>{@code MALFORMED}: the adjusted length is shorter than the header
 *       ({@code lengthFieldOffset + lengthFieldWidth}); the header bytes are skipped. Or the frame is
 *       shorter than {@code bytesToStrip}; the frame is skipped.</li>
 *   <li>{@code TRUNCATED} from {@link #decodeAtEof}: the stream ended inside a frame.</li>
 * </ul>
 *
 * <p>Memory: when {@code decode} returns {@code NeedData} the buffer holds fewer than
 * {@code maxFrameLength} readable bytes. A frame whose header (and the bytes to strip) came but whose rest did not is
 * taken out of the buffer as it arrives, into the array of the frame-to-be: the buffer then holds no more than one
 * read, and the bytes are copied once from the buffer instead of being gathered there and copied whole at the end.
 * A driver may read them straight into that array instead ({@link #receiveWindow}). That array is not sized from the
 * announced length alone: with {@code arrived} the frame's bytes received so far, the arrays held for the frame total
 * at most {@code arrived + max(1 MiB, 3 x arrived)} bytes and never more than {@code length + ceil(length / 3)} (the
 * length itself at most {@code maxFrameLength}): a frame longer than about 1 MiB is gathered in chunks up to a third of
 * it, then copied once into its own array. {@link #reset()} drops them.
 */
public final class LengthFieldFramer implements Framer {
    private final int lengthFieldOffset;
    private final int lengthFieldWidth;
    private final ByteOrder byteOrder;
    private final int lengthAdjustment;
    private final int bytesToStrip;
    private final int maxFrameLength;

    private long discardLeft;
    /** {@link ArrivingFrame#STEP}; this package's tests set less, to gather small frames in chunks. */
    int arrivingStep = ArrivingFrame.STEP;
    private ArrivingFrame body; // the frame's bytes while they arrive (null when none is open)

    private LengthFieldFramer(Builder b) {
        this.lengthFieldOffset = b.lengthFieldOffset;
        this.lengthFieldWidth = b.lengthFieldWidth;
        this.byteOrder = b.byteOrder;
        this.lengthAdjustment = b.lengthAdjustment;
        this.bytesToStrip = b.bytesToStrip;
        this.maxFrameLength = b.maxFrameLength;
    }

    /** A builder with the defaults: offset 0, width 2, big-endian, adjustment 0, strip 0, max 65536. */
    public static Builder builder() {
        return new Builder();
    }

    /** Bytes before the length field. */
    public int lengthFieldOffset() {
        return lengthFieldOffset;
    }

    /** Width of the length field: 1, 2 or 4 bytes. */
    public int lengthFieldWidth() {
        return lengthFieldWidth;
    }

    /** Byte order of the length field. */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** Added to the length field's value to give the bytes after the length field. */
    public int lengthAdjustment() {
        return lengthAdjustment;
    }

    /** Bytes cut off the front of each delivered frame. */
    public int bytesToStrip() {
        return bytesToStrip;
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public boolean isDiscarding() {
        return discardLeft > 0;
    }

    @Override
    public void reset() {
        discardLeft = 0;
        body = null;
    }

    @Override
    public FrameResult decodeAtEof(InputBuffer in) {
        FrameResult r = decode(in);
        if (r == FrameResult.NeedData.INSTANCE && body != null) {
            FramingError truncated = body.truncated("bytes of a frame");
            reset();
            in.skipAll();
            return truncated;
        }
        return r == FrameResult.NeedData.INSTANCE ? Framer.super.decodeAtEof(in) : r;
    }

    /**
     * {@link FrameReader}'s view loop for this class: every result {@link #decode} gives until it needs data, handed to
     * {@code reader} at once. A copy of the loop in each framer class binds {@code decode} statically, so a program
     * using several framer classes pays one virtual call per receive instead of one per frame.
     */
    void deliverAll(InputBuffer in, FrameReader reader, FrameSink sink) {
        for (FrameResult r; (r = decode(in)) != FrameResult.NeedData.INSTANCE; ) {
            reader.deliverCut(r, sink);
        }
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        if (body != null) {
            return fillBody(in);
        }
        if (discardLeft > 0) {
            int n = (int) Math.min(discardLeft, in.readableBytes());
            in.skip(n);
            discardLeft -= n;
            if (discardLeft > 0) {
                return FrameResult.NeedData.INSTANCE;
            }
        }
        int headerEnd = lengthFieldOffset + lengthFieldWidth;
        if (in.readableBytes() < headerEnd) {
            return FrameResult.NeedData.INSTANCE;
        }
        long value = lengthValue(in);
        long frameLength = value + lengthAdjustment + headerEnd;
        if (frameLength < headerEnd) {
            in.skip(headerEnd);
            return FramingError.of(FramingException.Kind.MALFORMED, "length field " + value + " with lengthAdjustment "
                    + lengthAdjustment + " gives a frame of " + frameLength + " bytes, shorter than its "
                    + headerEnd + "-byte header");
        }
        if (frameLength > maxFrameLength) {
            return discard(in, frameLength, FramingException.Kind.TOO_LONG,
                    "frame of " + frameLength + " bytes exceeds maxFrameLength " + maxFrameLength);
        }
        if (frameLength < bytesToStrip) {
            return discard(in, frameLength, FramingException.Kind.MALFORMED,
                    "frame of " + frameLength + " bytes is shorter than bytesToStrip " + bytesToStrip);
        }
        int length = (int) frameLength;
        if (in.readableBytes() < length) {
            if (in.readableBytes() < bytesToStrip) {
                return FrameResult.NeedData.INSTANCE;
            }
            // the rest is still coming: the frame's bytes go straight into its array as they arrive
            in.skip(bytesToStrip);
            body = new ArrivingFrame(length - bytesToStrip, in, arrivingStep);
            return fillBody(in);
        }
        in.skip(bytesToStrip);
        return in.takeFrame(length - bytesToStrip, 0);
    }

    /** While a frame's bytes arrive and {@code in} is empty: the free room of its array, up to its end. */
    @Override
    public java.nio.ByteBuffer receiveWindow(InputBuffer in) {
        return body != null && in.isEmpty() ? body.window(in) : null;
    }

    @Override
    public boolean receivedInWindow(java.nio.ByteBuffer window, int n) {
        return body != null && body.windowFilled(window, n);
    }

    /** Moves the frame's bytes that are there into {@link #body}; the frame once it is whole. */
    private FrameResult fillBody(InputBuffer in) {
        Frame frame = body.fill(in);
        if (frame == null) {
            return FrameResult.NeedData.INSTANCE;
        }
        body = null;
        return frame;
    }

    /** {@inheritDoc} Here: also the bytes of a frame gathered as they arrive. */
    @Override
    public int heldBytes(InputBuffer in) {
        return in.readableBytes() + (body == null ? 0 : body.filled());
    }

    /** Size of the array the frame being received is gathered in (0 when none is open), for memory checks. */
    int arrivingCapacity() {
        return body == null ? 0 : body.capacity();
    }

    private FrameResult discard(InputBuffer in, long frameLength, FramingException.Kind kind, String message) {
        int n = (int) Math.min(frameLength, in.readableBytes());
        in.skip(n);
        discardLeft = frameLength - n;
        return FramingError.of(kind, message);
    }

    private long lengthValue(InputBuffer in) {
        long value = 0;
        for (int i = 0; i < lengthFieldWidth; i++) {
            int index = byteOrder == ByteOrder.BIG_ENDIAN ? i : lengthFieldWidth - 1 - i;
            value = (value << 8) | in.getUnsigned(lengthFieldOffset + index);
        }
        return value;
    }

    @Override
    public String toString() {
        return "LengthFieldFramer[offset=" + lengthFieldOffset + ", width=" + lengthFieldWidth + ", " + byteOrder
                + ", adjustment=" + lengthAdjustment + ", strip=" + bytesToStrip + ", maxFrameLength="
                + maxFrameLength + "]";
    }

    /** Settings for a {@link LengthFieldFramer}; each setter checks its argument. Not thread-safe. */
    public static final class Builder {
        private int lengthFieldOffset;
        private int lengthFieldWidth = 2;
        private ByteOrder byteOrder = ByteOrder.BIG_ENDIAN;
        private int lengthAdjustment;
        private int bytesToStrip;
        private int maxFrameLength = 65536;

        private Builder() {
        }

        /** Bytes before the length field; default 0; at least 0. */
        public Builder lengthFieldOffset(int offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("lengthFieldOffset must not be negative: " + offset);
            }
            this.lengthFieldOffset = offset;
            return this;
        }

        /** Width of the length field in bytes; default 2; 1, 2 or 4. */
        public Builder lengthFieldWidth(int width) {
            if (width != 1 && width != 2 && width != 4) {
                throw new IllegalArgumentException("lengthFieldWidth must be 1, 2 or 4: " + width);
            }
            this.lengthFieldWidth = width;
            return this;
        }

        /** Byte order of the length field; default big-endian. */
        public Builder byteOrder(ByteOrder order) {
            if (order == null) {
                throw new IllegalArgumentException("byteOrder must not be null");
            }
            this.byteOrder = order;
            return this;
        }

        /** Added to the length field's value; default 0; may be negative. */
        public Builder lengthAdjustment(int adjustment) {
            this.lengthAdjustment = adjustment;
            return this;
        }

        /** Bytes cut off the front of each delivered frame; default 0; at least 0. */
        public Builder bytesToStrip(int strip) {
            if (strip < 0) {
                throw new IllegalArgumentException("bytesToStrip must not be negative: " + strip);
            }
            this.bytesToStrip = strip;
            return this;
        }

        /** Largest whole frame (header included, before stripping); default 65536. */
        public Builder maxFrameLength(int max) {
            this.maxFrameLength = FramerArgs.positive("maxFrameLength", max);
            return this;
        }

        /** The framer; fails when the header ({@code lengthFieldOffset + lengthFieldWidth}) exceeds maxFrameLength. */
        public LengthFieldFramer build() {
            if ((long) lengthFieldOffset + lengthFieldWidth > maxFrameLength) {
                throw new IllegalArgumentException("lengthFieldOffset + lengthFieldWidth ("
                        + ((long) lengthFieldOffset + lengthFieldWidth) + ") exceeds maxFrameLength " + maxFrameLength);
            }
            return new LengthFieldFramer(this);
        }
    }
}
