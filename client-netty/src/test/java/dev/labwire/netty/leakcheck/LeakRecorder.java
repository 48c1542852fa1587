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
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected (untraced)");
        super.reportUntracedLeak(resourceType);
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
