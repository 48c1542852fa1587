package dev.labwire.blocking;

import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.ChaosScenario;
import dev.labwire.testsupport.clients.TestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The shared {@link ChaosScenario} on the blocking client: many threads share it, each making one call at a time. */
class ChaosTest extends ChaosScenario {
    ChaosTest() {
        super(BlockingClients.INSTANCE);
    }

    @Override
    protected String concurrency(int maxInFlight) {
        return threads(maxInFlight) + " threads";
    }

    private static int threads(int maxInFlight) {
        return Math.max(4, maxInFlight);
    }

    @Override
    protected void drive(TestClient client, MockInstrument mock, int requests, int maxInFlight, Outcomes outcomes)
            throws InterruptedException {
        int threads = threads(maxInFlight);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    for (int i = id; i < requests; i += threads) {
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
                } finally {
                    done.countDown();
                }
            }, "chaos-" + t);
            workers.add(w);
            w.start();
        }
        // the instrument side restarts now and then while the workers run
        while (!done.await(DROP_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
            mock.disconnect();
        }
    }
}
