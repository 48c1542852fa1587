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
 * <p><b>Views.</b> {@link #receive(ByteBuffer, FrameSink)} hands each frame to a {@link FrameSink} as a read-only
 * view valid during the call only, as Netty's decoders hand out slices: a frame that lies whole in a heap buffer
 * received is not copied at all, one that straddles receives (a 1 MiB block in 16 KiB reads) is assembled in an array
 * the reader reuses (its bytes copied once), and only COBS and SLIP packets with bytes to unstuff, and frames of
 * framers outside this package, are decoded or copied into arrays of their own. Both ways of receiving may be mixed
 * on one reader; frames waiting for {@code next()} go to the next sink first.
 *
 * <p>Memory: the buffer holds at most about {@code maxFrameLength} bytes (an unfinished frame) plus, for small
 * frames, what one {@code receive} brings (at most {@value #MAX_APPENDED} bytes); the frames cut by one
 * {@code receive} wait until {@code next()} takes them, so drain {@code next()} after each {@code receive}. With views,
 * the reader also keeps the array that frames are assembled in, as large as the largest such frame so far (COBS: up
 * to twice that, room for the next ones) and at most the framer's {@code maxFrameLength} plus 16 bytes for this
 * package's framers.
 */
public final class FrameReader {
    private static final int STEP = 256;
    /** Bytes consumed per frame from which received bytes are read in place. */
    static final int IN_PLACE_FROM = 128;
    /** The most bytes of one receive appended for {@code next()} to cut; more are read in place whatever the frames. */
    static final int MAX_APPENDED = 64 * 1024;

    private final Framer framer;
    private final ViewLoop viewLoop; // the framer's own loop, for this package's framers; null for others
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
        this.viewLoop = viewLoop(framer);
    }

    /** Cuts every frame the buffer holds and hands each to the reader at once ({@code Framer.deliverAll}). */
    @FunctionalInterface
    private interface ViewLoop {
        void deliverAll(InputBuffer in, FrameReader reader, FrameSink sink);
    }

    private static ViewLoop viewLoop(Framer framer) {
        if (framer instanceof LineFramer f) {
            return f::deliverAll;
        } else if (framer instanceof CobsFramer f) {
            return f::deliverAll;
        } else if (framer instanceof SlipFramer f) {
            return f::deliverAll;
        } else if (framer instanceof LengthFieldFramer f) {
            return f::deliverAll;
        } else if (framer instanceof BlockFramer f) {
            return f::deliverAll;
        } else if (framer instanceof FixedLengthFramer f) {
            return f::deliverAll;
        }
        return null;
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

    /**
     * Takes every remaining byte of {@code data} and gives each frame they complete to {@code sink} at once, as a view
     * (see {@link FrameSink}), and each framing error; frames an earlier {@link #receive(ByteBuffer)} left for
     * {@link #next()} go first. Keeps no reference to {@code data} or {@code sink} when it returns. Fails with
     * {@link IllegalStateException} after {@link #receiveEof()}.
     */
    public void receive(ByteBuffer data, FrameSink sink) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(sink, "sink");
        if (eof) {
            throw new IllegalStateException("receive after receiveEof");
        }
        flushReady(sink);
        buffer.viewing(true);
        try {
            deliverAll(sink, false); // bytes an earlier receive(ByteBuffer) appended
            int step = STEP;
            while (data.hasRemaining()) {
                if (buffer.isEmpty() && buffer.borrow(data)) {
                    try {
                        deliverAll(sink, false);
                    } finally {
                        buffer.endBorrow();
                    }
                    return;
                }
                if (!data.hasArray()) {
                    // direct or read-only: no borrowing, so append a bounded amount at a time
                    buffer.append(data, MAX_APPENDED);
                    deliverAll(sink, false);
                    continue;
                }
                // an unfinished frame is held: append a little at a time until it is cut, then read the rest in place
                int n = buffer.append(data, step);
                deliverAll(sink, false);
                buffer.unappend(data, n);
                step = Math.min(step * 2, 8192);
            }
        } finally {
            buffer.viewing(false);
            dropViews();
        }
    }

    /**
     * The stream has ended: frames waiting for {@link #next()}, then what the framer makes of the bytes left (a
     * TRUNCATED error for an unfinished frame), go to {@code sink}. Afterwards {@link #next()} gives
     * {@link FrameResult.NeedData}.
     */
    public void receiveEof(FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        eof = true;
        flushReady(sink);
        buffer.viewing(true);
        try {
            deliverAll(sink, true);
        } finally {
            buffer.viewing(false);
            dropViews();
        }
    }

    private void dropViews() {
        view = null;
        viewArray = null;
        otherView = null;
        otherViewArray = null;
    }

    private void flushReady(FrameSink sink) {
        for (FrameResult r; (r = ready.poll()) != null; ) {
            deliver(r, sink);
        }
    }

    private void deliverAll(FrameSink sink, boolean atEof) {
        if (!atEof && viewLoop != null) {
            viewLoop.deliverAll(buffer, this, sink);
            return;
        }
        for (FrameResult r; (r = atEof ? framer.decodeAtEof(buffer) : framer.decode(buffer)) != FrameResult.NeedData.INSTANCE; ) {
            results++;
            deliver(r, sink);
        }
    }

    // read-only buffers over the last two arrays frames were views of (the driver's buffer and the scratch array
    // alternate with SLIP), reused while frames are views of the same arrays; dropped when receive returns
    private ByteBuffer view;
    private byte[] viewArray;
    private ByteBuffer otherView;
    private byte[] otherViewArray;

    /** A result just cut by the framer, handed to {@code sink}. */
    void deliverCut(FrameResult r, FrameSink sink) {
        results++;
        deliver(r, sink);
    }

    private void deliver(FrameResult r, FrameSink sink) {
        if (r == Frame.VIEW) {
            byte[] a = buffer.viewArray();
            if (viewArray != a) {
                ByteBuffer v = view; // swap the slots, then replace the older one unless it is a's
                byte[] va = viewArray;
                view = otherView;
                viewArray = otherViewArray;
                otherView = v;
                otherViewArray = va;
                if (viewArray != a) {
                    view = ByteBuffer.wrap(a).asReadOnlyBuffer();
                    viewArray = a;
                }
            }
            int from = buffer.viewOffset();
            view.limit(from + buffer.viewLength()).position(from);
            sink.frame(view);
        } else if (r instanceof Frame f) {
            sink.frame(f.asReadOnlyBuffer());
        } else {
            sink.error((FramingError) r);
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

    /** The size of the array frames are assembled in for views, for memory-bound checks. */
    int scratchCapacity() {
        return buffer.scratchCapacity();
    }

    /** The buffer's own array's size, for memory-bound checks. */
    public int bufferCapacity() {
        return buffer.capacity();
    }
}
