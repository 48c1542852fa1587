package dev.labwire.examples.furnace;

import dev.labwire.mqtt.Broker;
import dev.labwire.mqtt.InstrumentSpec;
import dev.labwire.mqtt.MqttGateway;
import dev.labwire.mqtt.Poll;
import dev.labwire.mqtt.RemoteInstrument;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The furnace of {@link FurnaceControl} with an {@link MqttGateway} instead of its own line server: the gateway owns
 * the valve (RS232) and the analog I/O box (TCP), polls the chamber pressure and temperature as retained values, and
 * two programs use them through the broker with {@link RemoteInstrument}: an operator turns the valve (a one-second
 * move) while a reader queries the pressure over and over, answered in milliseconds because each instrument has its
 * own queue. The mass flow controllers stay on the line server: the gateway publishes single instruments, not the
 * addresses of an RS485 bus (yet).
 *
 * <p>Needs an MQTT 5 broker: {@code -Dexec.args="broker.lab:1883"}, or none and a Debian {@code mosquitto} is
 * started on a free loopback port. Run: {@code mvn -q -B -pl examples exec:java
 * -Dexec.mainClass=dev.labwire.examples.furnace.FurnaceOverMqtt}. Meanwhile, from any machine:
 * {@code mosquitto_sub -V mqttv5 -t 'furnace/#' -v}.
 */
public final class FurnaceOverMqtt {
    private final PrintStream out;
    private final long t0 = System.nanoTime();

    FurnaceOverMqtt(PrintStream out) {
        this.out = out;
    }

    /** What the run saw: pressure readings answered during the move, the first one's delay, the move's length. */
    public record Summary(int readsDuringMove, double firstReadMillis, double moveMillis) {
    }

    public static void main(String[] args) throws Exception {
        new FurnaceOverMqtt(System.out).demo(args.length > 0 ? args[0] : null);
    }

    private void say(String format, Object... args) {
        out.printf(Locale.ROOT, "[%6.0f ms] %s%n", (System.nanoTime() - t0) / 1e6, String.format(Locale.ROOT, format, args));
    }

    Summary demo(String brokerAddress) throws Exception {
        Process mosquitto = null;
        Broker broker;
        if (brokerAddress != null) {
            int colon = brokerAddress.lastIndexOf(':');
            broker = Broker.of(brokerAddress.substring(0, colon), Integer.parseInt(brokerAddress.substring(colon + 1)));
        } else {
            int port = freePort();
            mosquitto = startMosquitto(port);
            broker = Broker.of("127.0.0.1", port);
            say("started mosquitto on 127.0.0.1:%d", port);
        }
        broker = broker.withPrefix("furnace");
        try (SimulatedFurnace sim = SimulatedFurnace.start();
             MqttGateway gateway = MqttGateway.builder(broker).gatewayId("furnace-gw")
                     .instrument(InstrumentSpec.of("valve", sim.valveEndpoint()))
                     .instrument(InstrumentSpec.of("aio", sim.aioEndpoint())
                             .withPoll(new Poll("pressure", "AI? 0", Duration.ofMillis(200), "mbar"))
                             .withPoll(new Poll("temperature", "AI? 1", Duration.ofMillis(200), "°C")))
                     .start(Duration.ofSeconds(10));
             RemoteInstrument valve = RemoteInstrument.builder(broker, "valve").build();
             RemoteInstrument aio = RemoteInstrument.builder(broker, "aio").build()) {
            say("gateway %s publishes valve (%s) and aio (%s) under furnace/", gateway.broker(), sim.valveEndpoint(),
                    sim.aioEndpoint());
            say("operator > valve POS?  < %s", valve.query("POS?", Duration.ofSeconds(5)));
            long moveStart = System.nanoTime();
            CompletableFuture<String> move = valve.queryAsync("MOVE 60", Duration.ofSeconds(5));
            say("operator > valve MOVE 60 (takes about %d ms)", SimulatedFurnace.VALVE_MOVE_TIME.toMillis());
            int reads = 0;
            double first = -1;
            while (!move.isDone()) {
                double p = aio.queryNumber("AI? 0", Duration.ofSeconds(2));
                double at = (System.nanoTime() - moveStart) / 1e6;
                if (move.isDone()) break;
                if (first < 0) first = at;
                reads++;
                if (reads <= 3 || reads % 10 == 0) say("reader   > aio AI? 0  < %.3f mbar (%.0f ms into the move)", p, at);
            }
            String ok = move.get(5, TimeUnit.SECONDS);
            double moveMillis = (System.nanoTime() - moveStart) / 1e6;
            say("operator < %s  (the move took %.0f ms; %d pressure readings were answered meanwhile)", ok, moveMillis, reads);
            say("retained on the broker: furnace/aio/value/pressure and .../temperature, furnace/*/status");
            return new Summary(reads, first, moveMillis);
        } finally {
            if (mosquitto != null) {
                mosquitto.destroy();
                mosquitto.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Process startMosquitto(int port) throws Exception {
        Path bin = Path.of("/usr/sbin/mosquitto");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("no broker given and no /usr/sbin/mosquitto (apt-get install mosquitto)");
        }
        Path dir = Files.createTempDirectory("furnace-mosquitto");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                + "set_tcp_nodelay true\n");
        Process p = new ProcessBuilder(bin.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("mosquitto did not start on port " + port, e);
                }
                LockSupport.parkNanos(10_000_000L); // refused: look again soon
            }
        }
    }
}
