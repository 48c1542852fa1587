package dev.labwire.netty.leakcheck;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Netty's leak detector, recording every leak it reports so that {@link LeakCheckExtension} can fail the
 * build. Installed for the whole test JVM by {@code -Dio.netty.customResourceLeakDetector} (see the
 * module's surefire config), so Netty creates it for every tracked resource type (ByteBuf first of all).
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** True while a test leaks on purpose: leaks are still recorded, but not logged at ERROR as well. */
    private static volatile boolean leakExpected;

    public LeakRecorder(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        INSTANCES.incrementAndGet();
    }

    public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Always look for leaks, whatever the log level. */
    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
        if (!leakExpected) {
            super.reportTracedLeak(resourceType, records);
        }
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected (untraced)");
        if (!leakExpected) {
            super.reportUntracedLeak(resourceType);
        }
    }

    /**
     * Runs {@code body}, which leaks on purpose (the leak check's self-test), without Netty's ERROR log of the leak:
     * the leak is recorded as always, and a leak reported after {@code body} is logged again.
     */
    public static <R> R expectingLeaks(java.util.function.Supplier<R> body) {
        leakExpected = true;
        try {
            return body.get();
        } finally {
            leakExpected = false;
        }
    }

    /** How many detectors Netty made of this class (0 means the system property did not take). */
    public static int instances() {
        return INSTANCES.get();
    }

    /** The leaks reported so far, forgotten by this call. */
    public static List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String s; (s = LEAKS.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }
}
