package dev.labwire.examples.board;

import dev.labwire.core.frame.Frame;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The newest status of a streaming board, for any thread to read at its own pace: register it with
 * {@code client.onPushed(latest)} and call {@link #latest()} from a GUI, a logger or a control loop. It also
 * checks the stream: every frame's {@code seq} should be one more than the last ({@link #gaps()},
 * {@link #outOfOrder()}).
 *
 * <pre>{@code
 * LatestStatus latest = new LatestStatus();
 * try (AutoCloseable feed = board.onPushed(latest)) {       // the client's callback thread writes
 *     BoardStatus now = latest.awaitFirst(Duration.ofSeconds(2));
 *     ...
 *     double t = latest.latest().temperature();             // any thread reads, never waits
 * }
 * }</pre>
 *
 * Fed by one thread (the client's callback thread, frames in arrival order), read by any number. Frames that
 * are not status frames are counted ({@link #malformed()}) and otherwise ignored.
 */
public final class LatestStatus implements Consumer<Frame> {
    private final CountDownLatch first = new CountDownLatch(1);
    private volatile BoardStatus latest;
    // written by the one feeding thread only; volatile for readers
    private volatile long frames;
    private volatile long gaps;
    private volatile long outOfOrder;
    private volatile long malformed;

    /** Takes one pushed frame (called by the client for every frame it pushes). */
    @Override
    public void accept(Frame frame) {
        BoardStatus s;
        try {
            s = BoardStatus.parse(frame.asString(), System.nanoTime());
        } catch (IllegalArgumentException e) {
            malformed++;
            return;
        }
        BoardStatus before = latest;
        if (before != null) {
            if (s.seq() <= before.seq()) {
                outOfOrder++;
                return; // keep the newest
            }
            gaps += s.seq() - before.seq() - 1;
        }
        frames++;
        latest = s;
        first.countDown();
    }

    /** The newest status, or null before the first one. */
    public BoardStatus latest() {
        return latest;
    }

    /**
     * The newest status, waiting up to {@code timeout} for the first one.
     *
     * @throws IllegalStateException when none came in time
     */
    public BoardStatus awaitFirst(Duration timeout) throws InterruptedException {
        if (!first.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("no status frame within " + timeout.toMillis() + " ms");
        }
        return latest;
    }

    /** Status frames taken, in order. */
    public long frames() {
        return frames;
    }

    /** Frames missing from the sequence (the board counted them, they never came). */
    public long gaps() {
        return gaps;
    }

    /** Frames older than one already taken (dropped). */
    public long outOfOrder() {
        return outOfOrder;
    }

    /** Pushed frames that were not status frames. */
    public long malformed() {
        return malformed;
    }
}
