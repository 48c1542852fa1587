package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * RFC 2217 line and modem state notifications reach {@link BlockingClient#onPortState}: a small RFC 2217 server on
 * loopback (written here from RFC 2217, independent of labwire's codec) answers every setting and, when asked for
 * "PORT?", reports a break (NOTIFY-LINESTATE 0x10) and CTS + DSR (NOTIFY-MODEMSTATE 0x30) before its reply.
 */
class Rfc2217PortStateTest {
    private static final int IAC = 255;
    private static final int SB = 250;
    private static final int SE = 240;

    /** Serves one connection. */
    static final class Server implements AutoCloseable {
        final ServerSocket server;
        final List<String> settings = new CopyOnWriteArrayList<>();

        Server() throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "fake-rfc2217");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                out.write(new byte[] {(byte) IAC, (byte) 253, 44, (byte) IAC, (byte) 251, 0, (byte) IAC, (byte) 253, 0});
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                for (int b; (b = in.read()) >= 0; ) {
                    if (b != IAC) {
                        line.write(b);
                        if (b == '\n') {
                            String got = line.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
                            if (got.equals("PORT?\n") || got.equals("APORT?\n")) {   // a bus device "A" answers "Aok"
                                out.write(new byte[] {(byte) IAC, (byte) SB, 44, 106, 0x10, (byte) IAC, (byte) SE,
                                        (byte) IAC, (byte) SB, 44, 107, 0x30, (byte) IAC, (byte) SE});
                                out.write((got.startsWith("A") ? "Aok\n" : "ok\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                            }
                            line.reset();
                        }
                        continue;
                    }
                    int c = in.read();
                    if (c == IAC) {
                        line.write(IAC);
                    } else if (c == SB) {
                        ByteArrayOutputStream sb = new ByteArrayOutputStream();
                        for (int x; (x = in.read()) >= 0; ) {
                            if (x == IAC) {
                                int y = in.read();
                                if (y == SE) {
                                    break;
                                }
                                sb.write(y);
                            } else {
                                sb.write(x);
                            }
                        }
                        byte[] p = sb.toByteArray();
                        if (p.length >= 2 && p[0] == 44) {
                            settings.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(p, 1, p.length)));
                            ByteArrayOutputStream ack = new ByteArrayOutputStream();
                            ack.write(IAC);
                            ack.write(SB);
                            ack.write(44);
                            ack.write(p[1] + 100);
                            for (int i = 2; i < p.length; i++) {
                                ack.write(p[i]);
                                if ((p[i] & 0xFF) == IAC) {
                                    ack.write(IAC);
                                }
                            }
                            ack.write(IAC);
                            ack.write(SE);
                            out.write(ack.toByteArray());
                        }
                    } else {
                        in.read();   // the option byte of WILL/WONT/DO/DONT
                    }
                }
            } catch (IOException e) {
                // the test ended
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void notificationsReachTheListenerAndAllSettingsAreAnswered() throws Exception {
        try (Server server = new Server();
             BlockingClient c = BlockingClient.open("rfc2217://127.0.0.1:" + server.port() + "?baud=2400",
                     ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0))
                             .build())) {
            List<Event.PortState> states = new CopyOnWriteArrayList<>();
            AutoCloseable handle = c.onPortState(states::add);
            long start = System.nanoTime();
            c.awaitReady(Duration.ofSeconds(5));
            // every setting was answered, so the link came up without waiting for the 1 s deadline
            assertThat(System.nanoTime() - start).isLessThan(900_000_000L);
            assertThat(server.settings).startsWith("[1, 0, 0, 9, 96]");   // SET-BAUDRATE 2400 = 00 00 09 60
            assertThat(c.query("PORT?")).isEqualTo("ok");
            Await.until(Duration.ofSeconds(5), () -> states.size() >= 2, () -> "two port states, got " + states);
            assertThat(states.get(0).lineError()).isTrue();
            assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
            assertThat(states.get(1).cts()).isTrue();
            assertThat(states.get(1).dsr()).isTrue();
            assertThat(states.get(1).carrierDetect()).isFalse();
            handle.close();
        }
    }

    /** A bus opened over rfc2217:// hears the port states too. */
    @Test
    void aBusHearsThePortStates() throws Exception {
        try (Server server = new Server();
             BlockingBus bus = BlockingBus.open("rfc2217://127.0.0.1:" + server.port() + "?baud=2400",
                     dev.labwire.core.bus.BusConfig.DEFAULT)) {
            List<Event.PortState> states = new CopyOnWriteArrayList<>();
            AutoCloseable handle = bus.onPortState(states::add);
            bus.awaitReady(Duration.ofSeconds(5));
            assertThat(bus.device("A").query("PORT?")).isEqualTo("ok");
            Await.until(Duration.ofSeconds(5), () -> states.size() >= 2, () -> "two port states, got " + states);
            assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
            handle.close();
        }
    }

    /**
     * The session options from the endpoint string (a client) and from the builder: purge=off and dtr_rts=off leave
     * out PURGE-DATA (12) and SET-CONTROL DTR ON (5, 8); by default both are sent.
     */
    @Test
    void sessionOptionsFromTheEndpointStringAndTheBuilder() throws Exception {
        try (Server server = new Server();
             BlockingClient c = BlockingClient.open("rfc2217://127.0.0.1:" + server.port() + "?baud=2400&purge=off&dtr_rts=off",
                     ConnectionConfig.DEFAULT)) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).isNotEmpty().noneMatch(x -> x.equals("[5, 8]") || x.startsWith("[12,"));
            assertThat(c.endpoint()).contains("purge=off").contains("dtr_rts=off");
        }
        try (Server server = new Server();
             BlockingClient c = BlockingClient.builder("rfc2217://127.0.0.1:" + server.port())
                     .rfc2217Options(new dev.labwire.core.rfc2217.Rfc2217Options(Duration.ofSeconds(2), false, true)).build()) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).anyMatch(x -> x.equals("[5, 8]")).noneMatch(x -> x.startsWith("[12,"));
            assertThat(c.endpoint()).contains("ack_ms=2000").contains("purge=off");
        }
        try (Server server = new Server();
             BlockingClient c = BlockingClient.open("rfc2217://127.0.0.1:" + server.port(), ConnectionConfig.DEFAULT)) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).anyMatch(x -> x.equals("[5, 8]")).anyMatch(x -> x.startsWith("[12,"));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlockingClient.builder("tcp://127.0.0.1:1")
                .rfc2217Options(dev.labwire.core.rfc2217.Rfc2217Options.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rfc2217://");
    }
}
