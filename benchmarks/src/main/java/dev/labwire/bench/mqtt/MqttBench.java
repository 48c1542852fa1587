package dev.labwire.bench.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.labwire.bench.e2e.ReplyServer;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Request;
import dev.labwire.mqtt.Broker;
import dev.labwire.mqtt.InstrumentSpec;
import dev.labwire.mqtt.MqttGateway;
import dev.labwire.mqtt.RemoteInstrument;
import dev.labwire.mqtt.Stream;
import dev.labwire.netty.NettyClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The MQTT gateway measured against a direct labwire call, through a real mosquitto (started here on a free
 * loopback port, persistence off) and the loopback {@link ReplyServer} as the instrument.
 *
 * <ol>
 *   <li>request/reply latency: sequential {@code query} round trips, a direct {@code NettyClient} call against the
 *       same call through {@code RemoteInstrument} -> broker -> gateway -> instrument and back;</li>
 *   <li>retained value updates: {@code --streams} instruments each pushing {@code --hz} frames a second, published by
 *       the gateway as retained values with {@code minInterval} 0 (every frame), counted by a subscriber on
 *       {@code value/#}: offered, published by the gateway and received, per second.</li>
 * </ol>
 *
 * {@code java -cp benchmarks.jar dev.labwire.bench.mqtt.MqttBench [--calls 5000] [--rounds 3] [--streams 10]
 * [--hz 1000] [--seconds 5]}; prints a markdown table with the load average. Needs /usr/sbin/mosquitto.
 */
public final class MqttBench {
    private MqttBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = 5000;
        int rounds = 3;
        int streams = 10;
        int hz = 1000;
        int seconds = 5;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--calls" -> calls = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--streams" -> streams = Integer.parseInt(args[i + 1]);
                case "--hz" -> hz = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Process broker = null;
        try (ReplyServer server = ReplyServer.start(1)) {
            int port = freePort();
            broker = startMosquitto(port);
            Broker b = Broker.of("127.0.0.1", port).withPrefix("bench");
            System.out.println("### MQTT gateway: request/reply latency, sequential, " + calls + " calls a round"
                    + " (µs; ratio = via gateway / direct)");
            System.out.println();
            System.out.println("| round | direct p50 | direct p99 | via gateway p50 | via gateway p99 | ratio p50 | ratio p99 | load |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            String endpoint = "tcp://127.0.0.1:" + server.port();
            try (MqttGateway gw = MqttGateway.builder(b).gatewayId("bench-gw")
                    .instrument(InstrumentSpec.of("dev", endpoint)).start(Duration.ofSeconds(10));
                 RemoteInstrument remote = RemoteInstrument.builder(b, "dev").build()) {
                NettyClient direct = NettyClient.openAndAwait(endpoint, ConnectionConfig.DEFAULT, Duration.ofSeconds(5)).get();
                try {
                    remoteWarm(remote, calls);
                    directWarm(direct, calls);
                    for (int r = 1; r <= rounds; r++) {
                        Histogram d = new Histogram(60_000_000_000L, 3);
                        for (int i = 0; i < calls; i++) {
                            long t0 = System.nanoTime();
                            direct.query("MEAS?").join();
                            d.recordValue(System.nanoTime() - t0);
                        }
                        Histogram g = new Histogram(60_000_000_000L, 3);
                        for (int i = 0; i < calls; i++) {
                            long t0 = System.nanoTime();
                            remote.query("MEAS?");
                            g.recordValue(System.nanoTime() - t0);
                        }
                        double d50 = d.getValueAtPercentile(50) / 1e3, d99 = d.getValueAtPercentile(99) / 1e3;
                        double g50 = g.getValueAtPercentile(50) / 1e3, g99 = g.getValueAtPercentile(99) / 1e3;
                        System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.1fx | %.1fx | %s |%n", r, d50, d99,
                                g50, g99, g50 / d50, g99 / d99, load());
                    }
                } finally {
                    direct.close().join();
                }
            }
            System.out.println();
            System.out.println("### MQTT gateway: retained value updates, " + streams + " instruments x " + hz
                    + " frames/s offered, minInterval 0, " + seconds + " s a round (per second)");
            System.out.println();
            System.out.println("| round | offered (nominal) | frames reaching the gateway | published by the gateway | received by a subscriber | received / reaching | load |");
            System.out.println("|---|---|---|---|---|---|---|");
            MqttGateway.Builder gb = MqttGateway.builder(b).gatewayId("bench-values");
            for (int i = 0; i < streams; i++) {
                gb.instrument(InstrumentSpec.of("dev" + i, endpoint)
                        .withConfig(ConnectionConfig.builder().onConnect(Request.write("!STREAM " + hz)).build())
                        .withStream(new Stream("stat", "STAT:", Duration.ZERO, "V")));
            }
            AtomicLong received = new AtomicLong();
            Mqtt5AsyncClient sub = MqttClient.builder().useMqttVersion5().identifier("bench-sub").serverHost("127.0.0.1")
                    .serverPort(port).buildAsync();
            sub.connect().get(5, TimeUnit.SECONDS);
            sub.publishes(MqttGlobalPublishFilter.SUBSCRIBED, p -> received.incrementAndGet());
            sub.subscribeWith().topicFilter("bench/+/value/#").qos(MqttQos.AT_MOST_ONCE).send().get(5, TimeUnit.SECONDS);
            try (MqttGateway gw = gb.start(Duration.ofSeconds(10))) {
                long flowing = streams * 10L;
                waitFor(() -> received.get() > flowing, Duration.ofSeconds(20)); // every stream flowing
                for (int r = 1; r <= rounds; r++) {
                    long p0 = gw.valuesPublished();
                    long f0 = gw.streamFrames();
                    long r0 = received.get();
                    long t0 = System.nanoTime();
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(seconds)); // the measuring window itself
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double pub = (gw.valuesPublished() - p0) / secs;
                    double frames = (gw.streamFrames() - f0) / secs;
                    double rec = (received.get() - r0) / secs;
                    double offered = (double) streams * hz;
                    System.out.printf(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %s |%n", r, offered, frames,
                            pub, rec, rec / frames, load());
                }
            } finally {
                sub.disconnect().get(5, TimeUnit.SECONDS);
            }
        } finally {
            if (broker != null) {
                broker.destroy();
                broker.waitFor(10, TimeUnit.SECONDS);
            }
        }
        System.exit(0);
    }

    private static void remoteWarm(RemoteInstrument r, int n) {
        for (int i = 0; i < n; i++) r.query("MEAS?");
    }

    private static void directWarm(NettyClient c, int n) {
        for (int i = 0; i < n; i++) c.query("MEAS?").join();
    }

    private static String load() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void waitFor(java.util.function.BooleanSupplier c, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no value updates within " + timeout);
            LockSupport.parkNanos(10_000_000L);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process startMosquitto(int port) throws Exception {
        Path dir = Files.createTempDirectory("bench-mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                // without it mosquitto leaves Nagle on: small replies wait for the delayed ACK (~40 ms on Linux)
                + "set_tcp_nodelay true\n"
                + "max_queued_messages 100000\n");
        Process p = new ProcessBuilder("/usr/sbin/mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        waitFor(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10));
        return p;
    }
}
