package dev.labwire.netty.leakcheck;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (registered for every class of the
 * module through {@code META-INF/services} and {@code junit-platform.properties}). Netty finds leaks when
 * a tracked buffer is garbage-collected unreleased, and reports them on the next tracked allocation; so
 * after each class this collects garbage and allocates a few buffers, then checks {@link LeakRecorder}.
 * Before each class it checks that the detector really is ours and at PARANOID level, so that a broken
 * surefire config cannot make the check pass vacuously.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    private static final int ROUNDS = 4;

    /** Made by JUnit's extension auto-detection. */
    public LeakCheckExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PooledByteBufAllocator.DEFAULT.buffer(1).release(); // makes the ByteBuf detector exist
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID || LeakRecorder.instances() == 0) {
            throw new IllegalStateException("the Netty leak check is not armed: level " + ResourceLeakDetector.getLevel()
                    + ", recorders " + LeakRecorder.instances()
                    + " (surefire must pass -Dio.netty.leakDetection.level=PARANOID -Dio.netty.customResourceLeakDetector)");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) while " + context.getDisplayName() + " ran:\n"
                    + String.join("\n\n", leaks));
        }
    }

    public static List<String> collect() {
        List<String> leaks = LeakRecorder.drain();
        for (int i = 0; i < ROUNDS && leaks.isEmpty(); i++) {
            collectGarbage();
            for (int j = 0; j < 8; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16); // each tracked allocation polls the detector
                b.release();
            }
            leaks = LeakRecorder.drain();
        }
        return leaks;
    }

    /** A full GC, and waits until its reference processing reached a queue (where Netty's leak refs go too). */
    private static void collectGarbage() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        System.gc();
        try {
            queue.remove(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reference.reachabilityFence(sentinel);
    }
}
