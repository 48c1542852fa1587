package dev.labwire.mqtt;

import dev.labwire.mqtt.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Waits on retained topics read by mosquitto_sub, with a deadline. */
final class GatewayTestSupport {
    private GatewayTestSupport() {
    }

    static Map<String, Object> awaitStatus(Mosquitto broker, String instrument, String state, String... login)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Map<String, Object> last = null;
        List<String> raw = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            raw = broker.sub("labwire/" + instrument + "/status", 1, 3, login);
            List<String> lines = raw.stream().filter(l -> l.startsWith("{")).toList();
            if (!lines.isEmpty()) {
                last = Json.parseObject(lines.get(0));
                if (state.equals(last.get("state"))) return last;
            }
        }
        throw new AssertionError(instrument + " never became " + state + "; last " + last + " " + raw);
    }

    /** {@code r}'s answer to {@code *IDN?}, asked again (2 s a try) while it fails, for up to 20 s: null if never. */
    static String idnOnceServedAgain(RemoteInstrument r) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                return r.query("*IDN?", java.time.Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                // not reconnected, or still catching up
            }
        }
        return null;
    }
}
