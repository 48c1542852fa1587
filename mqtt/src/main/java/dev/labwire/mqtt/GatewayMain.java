package dev.labwire.mqtt;

import dev.labwire.mqtt.internal.GatewayFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a gateway from a YAML file until the process is stopped: {@code java -cp ... dev.labwire.mqtt.GatewayMain
 * --config gateway.yaml}. The file names the broker (host, port, prefix, credentials, TLS), the gateway's id and
 * the instruments by endpoint with their polls and streams; docs/MQTT.md has the format and an example. On SIGTERM
 * or Ctrl-C it publishes "offline" for each instrument and disconnects; if it is killed, the broker publishes the
 * Last Will ("offline") instead. Exit status 2 for a bad command line or file, 1 when the broker cannot be reached
 * within 30 s. Logs through SLF4J (add a binding such as slf4j-simple to the class path).
 */
public final class GatewayMain {
    private static final Logger log = LoggerFactory.getLogger(GatewayMain.class);

    private GatewayMain() {
    }

    /** {@code --config <file>}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: GatewayMain --config gateway.yaml");
            System.exit(2);
            return;
        }
        Path file = Path.of(args[1]);
        if (!Files.isReadable(file)) {
            System.err.println("GatewayMain: cannot read " + file);
            System.exit(2);
            return;
        }
        MqttGateway.Builder builder;
        try {
            builder = GatewayFile.load(file);
        } catch (IllegalArgumentException e) {
            System.err.println("GatewayMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        MqttGateway gateway;
        try {
            gateway = builder.start(Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            log.error("{}", e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping {}", gateway);
            gateway.close();
            stopped.countDown();
        }, "labwire-mqtt-shutdown"));
        log.info("serving {}", gateway);
        stopped.await();
    }
}
