package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.ChaosScenario;
import dev.labwire.testsupport.clients.TestClient;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared {@link ChaosScenario} on the Netty client: one caller keeps {@value #WINDOW} calls outstanding at once
 * (maxInFlight of them pipelined on the wire) and never waits for one.
 */
class ChaosTest extends ChaosScenario {
    private static final int WINDOW = 32;

    ChaosTest() {
        super(NettyClients.INSTANCE);
    }

    @Override
    protected Logger figuresLog() {
        return LoggerFactory.getLogger("dev.labwire.netty.timings");
    }

    @Override
    protected String concurrency(int maxInFlight) {
        return WINDOW + " outstanding";
    }

    @Override
    protected void drive(TestClient testClient, MockInstrument mock, int requests, int maxInFlight, Outcomes outcomes)
            throws InterruptedException {
        NettyClient client = ((NettyClients.Client) testClient).client();
        Semaphore window = new Semaphore(WINDOW);
        long lastDrop = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            window.acquire();
            if (System.nanoTime() - lastDrop > DROP_EVERY.toNanos()) {
                mock.disconnect(); // the instrument side restarts now and then
                lastDrop = System.nanoTime();
            }
            int call = i;
            long start = System.nanoTime();
            client.query(Outcomes.command(i)).whenComplete((reply, error) -> {
                outcomes.ended(call, reply, error, System.nanoTime() - start);
                window.release();
            });
        }
        assertThat(window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)).as("every call ended").isTrue();
    }
}
