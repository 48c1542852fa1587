package dev.labwire.mqtt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Debian mosquitto broker for tests: a generated config on a free loopback port, optional password file
 * (made with mosquitto_passwd -b) and ACL file; stop/start keep the port. Plus helpers that run the independent
 * clients mosquitto_sub/mosquitto_pub and python3 paho-mqtt.
 */
final class Mosquitto implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    final Path dir;
    final int port;
    private final boolean auth;
    private Process process;
    private volatile boolean frozen;

    private Mosquitto(Path dir, int port, boolean auth) {
        this.dir = dir;
        this.port = port;
        this.auth = auth;
    }

    static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(Path.of("/usr/bin/mosquitto_sub"));
    }

    /** An anonymous broker. */
    static Mosquitto start() throws Exception {
        return start(null, null);
    }

    /** A broker with users ({"name","password",...}) and an ACL file's text; anonymous clients refused. */
    static Mosquitto start(String[] users, String acl) throws Exception {
        return start(users, acl, dir -> "");
    }

    /** As {@link #start(String[], String)}, with more listener settings (e.g. TLS) made from the broker's directory. */
    static Mosquitto start(String[] users, String acl, ConfigExtra extra) throws Exception {
        Path dir = Files.createTempDirectory("mosquitto");
        // started as root, mosquitto drops to the "mosquitto" user once it has read its config: it must still be able to
        // write its log here
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder conf = new StringBuilder();
        conf.append("listener ").append(port).append(" 127.0.0.1\n");
        conf.append("persistence false\n");
        conf.append("set_tcp_nodelay true\n");
        conf.append(extra.lines(dir));
        conf.append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n');
        conf.append("log_type all\n");
        if (users == null) {
            conf.append("allow_anonymous true\n");
        } else {
            Path pw = dir.resolve("passwd");
            Files.writeString(pw, "");
            for (int i = 0; i < users.length; i += 2) {
                run(List.of("mosquitto_passwd", "-b", pw.toString(), users[i], users[i + 1]), Duration.ofSeconds(10));
            }
            Path aclFile = dir.resolve("acl");
            Files.writeString(aclFile, acl);
            conf.append("allow_anonymous false\n");
            conf.append("password_file ").append(pw).append('\n');
            conf.append("acl_file ").append(aclFile).append('\n');
        }
        Files.writeString(dir.resolve("mosquitto.conf"), conf.toString());
        Mosquitto m = new Mosquitto(dir, port, users != null);
        m.launch();
        return m;
    }

    void launch() throws Exception {
        process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("stdout.log")));
                }
                if (System.nanoTime() > deadline) throw new IllegalStateException("mosquitto not listening on " + port);
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // refused: look again soon
            }
        }
    }

    /** Stops the broker (SIGTERM) and waits for it to exit. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            if (frozen) {
                try {
                    thaw(); // a stopped process takes no SIGTERM
                } catch (Exception e) {
                    process.destroyForcibly();
                }
            }
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
    }

    /**
     * Freezes the broker (SIGSTOP): its sockets stay open and it reads and answers nothing, as a broker stuck in a
     * long GC pause or on a machine that stopped scheduling it. {@link #thaw()} lets it run on.
     */
    void freeze() throws Exception {
        signal("-STOP");
        frozen = true;
    }

    /** Lets a frozen broker run again (SIGCONT). */
    void thaw() throws Exception {
        signal("-CONT");
        frozen = false;
    }

    private void signal(String sig) throws Exception {
        String out = run(List.of("kill", sig, String.valueOf(process.pid())), Duration.ofSeconds(5));
        if (out.contains("#exit")) throw new IllegalStateException("kill " + sig + " failed: " + out);
    }

    /** Listener settings added to the generated config. */
    interface ConfigExtra {
        String lines(Path dir) throws Exception;
    }

    Broker broker() {
        return Broker.of("127.0.0.1", port);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** mosquitto_sub for {@code count} messages within {@code seconds}: the payloads, one a line. */
    List<String> sub(String topic, int count, int seconds, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1",
                "-p", String.valueOf(port), "-t", topic, "-C", String.valueOf(count), "-W", String.valueOf(seconds)));
        cmd.addAll(List.of(extra));
        return run(cmd, Duration.ofSeconds(seconds + 5)).lines().toList();
    }

    /** Runs a command; its stdout (stderr appended after a marker when it failed). */
    static String run(List<String> cmd, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        p.getOutputStream().close();
        byte[][] out = new byte[2][];
        Thread t = new Thread(() -> {
            try {
                out[1] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                out[1] = new byte[0];
            }
        });
        t.start();
        out[0] = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd + " did not finish in " + timeout);
        }
        t.join();
        String stdout = new String(out[0], StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            return stdout + "\n#exit " + p.exitValue() + ": " + new String(out[1], StandardCharsets.UTF_8);
        }
        return stdout;
    }
}
