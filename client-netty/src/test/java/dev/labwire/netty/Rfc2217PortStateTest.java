package dev.labwire.netty;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * RFC 2217 line and modem state notifications reach {@link NettyClient#onPortState}: a small RFC 2217 server on
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
        try (Server server = new Server()) {
            NettyClient c = NettyClient.open("rfc2217://127.0.0.1:" + server.port() + "?baud=2400",
                    ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0))
                            .build());
            try {
                List<Event.PortState> states = new CopyOnWriteArrayList<>();
                AutoCloseable handle = c.onPortState(states::add);
                long start = System.nanoTime();
                c.ready(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                // every setting was answered, so the link came up without waiting for the 1 s deadline
                assertThat(System.nanoTime() - start).isLessThan(900_000_000L);
                assertThat(server.settings).startsWith("[1, 0, 0, 9, 96]");   // SET-BAUDRATE 2400 = 00 00 09 60
                assertThat(c.query("PORT?").get(10, TimeUnit.SECONDS)).isEqualTo("ok");
                Await.until(Duration.ofSeconds(5), () -> states.size() >= 2, () -> "two port states, got " + states);
                assertThat(states.get(0).lineError()).isTrue();
                assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
                assertThat(states.get(1).cts()).isTrue();
                assertThat(states.get(1).dsr()).isTrue();
                handle.close();
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A bus opened over rfc2217:// hears the port states too; its builder takes the session options. */
    @Test
    void aBusHearsThePortStatesAndTakesOptionsFromItsBuilder() throws Exception {
        try (Server server = new Server()) {
            NettyBus bus = NettyBus.builder("rfc2217://127.0.0.1:" + server.port() + "?baud=2400")
                    .rfc2217Options(new dev.labwire.core.rfc2217.Rfc2217Options(Duration.ofSeconds(2), false, false)).build();
            try {
                List<Event.PortState> states = new CopyOnWriteArrayList<>();
                AutoCloseable handle = bus.onPortState(states::add);
                bus.ready(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                assertThat(bus.device("A").query("PORT?").get(10, TimeUnit.SECONDS)).isEqualTo("ok");
                Await.until(Duration.ofSeconds(5), () -> states.size() >= 2, () -> "two port states, got " + states);
                assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
                assertThat(server.settings).isNotEmpty().noneMatch(x -> x.equals("[5, 8]") || x.startsWith("[12,"));
                assertThat(bus.endpoint()).contains("ack_ms=2000");
                handle.close();
            } finally {
                bus.close().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The session options from the endpoint string and from the client builder. */
    @Test
    void sessionOptionsFromTheEndpointStringAndTheBuilder() throws Exception {
        try (Server server = new Server()) {
            NettyClient c = NettyClient.open("rfc2217://127.0.0.1:" + server.port() + "?purge=off", ConnectionConfig.DEFAULT);
            try {
                assertThat(c.query("PORT?").get(10, TimeUnit.SECONDS)).isEqualTo("ok");
                assertThat(server.settings).anyMatch(x -> x.equals("[5, 8]")).noneMatch(x -> x.startsWith("[12,"));
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        }
        try (Server server = new Server()) {
            NettyClient c = NettyClient.builder("rfc2217://127.0.0.1:" + server.port())
                    .rfc2217Options(new dev.labwire.core.rfc2217.Rfc2217Options(Duration.ofSeconds(1), true, false)).build();
            try {
                assertThat(c.query("PORT?").get(10, TimeUnit.SECONDS)).isEqualTo("ok");
                assertThat(server.settings).anyMatch(x -> x.startsWith("[12,")).noneMatch(x -> x.equals("[5, 8]"));
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NettyBus.builder("serial:/dev/ttyS0")
                .rfc2217Options(dev.labwire.core.rfc2217.Rfc2217Options.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rfc2217://");
    }
}
