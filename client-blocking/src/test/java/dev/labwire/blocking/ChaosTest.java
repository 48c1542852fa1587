package dev.labwire.blocking;

import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.ChaosScenario;
import dev.labwire.testsupport.clients.TestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The shared {@link ChaosScenario} on the blocking client: many threads share it. Even-numbered threads make one
 * {@code query} at a time; odd-numbered ones send their calls as {@code queryAll} batches of 1-8 commands, so batches
 * and single calls share the window and the faults. Where the JDK has virtual threads (21 and later), every other
 * thread is virtual (the caller-reads and untimed-wait paths differ for them).
 */
class ChaosTest extends ChaosScenario {
    private static final int MAX_BATCH = 8;
    private static final ThreadFactory VIRTUAL = virtualFactoryOrNull();

    ChaosTest() {
        super(BlockingClients.INSTANCE);
    }

    @Override
    protected String concurrency(int maxInFlight) {
        return threads(maxInFlight) + " threads (half of them sending queryAll batches of 1-" + MAX_BATCH + ", "
                + (VIRTUAL == null ? "all platform threads" : "every other one virtual") + ")";
    }

    private static int threads(int maxInFlight) {
        return Math.max(4, maxInFlight);
    }

    @Override
    protected void drive(TestClient client, MockInstrument mock, int requests, int maxInFlight, Outcomes outcomes)
            throws InterruptedException {
        BlockingClient blocking = ((BlockingClients.Client) client).client();
        int threads = threads(maxInFlight);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Runnable work = () -> {
                try {
                    if (id % 2 == 0) {
                        singles(client, id, threads, requests, outcomes);
                    } else {
                        batches(blocking, id, threads, requests, outcomes);
                    }
                } finally {
                    done.countDown();
                }
            };
            Thread w = VIRTUAL != null && id % 4 >= 2 ? VIRTUAL.newThread(work) : new Thread(work);
            w.setName("chaos-" + t);
            workers.add(w);
            w.start();
        }
        // the instrument side restarts now and then while the workers run
        while (!done.await(DROP_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
            mock.disconnect();
        }
    }

    private static void singles(TestClient client, int first, int stride, int requests, Outcomes outcomes) {
        for (int i = first; i < requests; i += stride) {
            long start = System.nanoTime();
            String reply = null;
            RuntimeException error = null;
            try {
                reply = client.query(Outcomes.command(i));
            } catch (RuntimeException e) {
                error = e;
            }
            outcomes.ended(i, reply, error, System.nanoTime() - start);
        }
    }

    /**
     * Calls {@code first, first + stride, ...} in batches of 1..{@link #MAX_BATCH}: each batch's calls end together,
     * with their replies in order or with the batch's one failure (queryAll's contract: every command's timeout counts
     * from the call, so the batch ends by the timeout plus slack like a single call).
     */
    private static void batches(BlockingClient client, int first, int stride, int requests, Outcomes outcomes) {
        int size = 1;
        for (int i = first; i < requests; ) {
            List<Integer> ids = new ArrayList<>();
            List<String> commands = new ArrayList<>();
            for (; i < requests && ids.size() < size; i += stride) {
                ids.add(i);
                commands.add(Outcomes.command(i));
            }
            size = size % MAX_BATCH + 1;
            long start = System.nanoTime();
            List<String> replies = null;
            RuntimeException error = null;
            try {
                replies = client.queryAll(commands);
            } catch (RuntimeException e) {
                error = e;
            }
            long took = System.nanoTime() - start;
            for (int k = 0; k < ids.size(); k++) {
                outcomes.ended(ids.get(k), replies == null ? null : replies.get(k), error, took);
            }
        }
    }

    private static ThreadFactory virtualFactoryOrNull() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
