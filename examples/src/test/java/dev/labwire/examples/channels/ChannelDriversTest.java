package dev.labwire.examples.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.internal.Sessions;
import dev.labwire.mock.MockInstrument;
import dev.labwire.netty.NettyClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The channel contract (docs/CHANNELS.md) through both real clients on loopback: a session machine that asks a lookup
 * server on channel 1 where its link goes, opens the link there (a MockInstrument), listens on channel 2 for a
 * call-back from the lookup server and hands what comes in as a pushed frame. Checks every report the driver gives,
 * that the link works, that a channel's end of stream is reported, that close() closes channels, and that a channel
 * that cannot connect is reported failed.
 */
class ChannelDriversTest {
    enum Kind { BLOCKING, NETTY }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A lookup server: answers {@code PORT?} with the mock's port, and on {@code CALL <p>} connects back and says hello. */
    private static final class Lookup implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        final CompletableFuture<Void> clientClosed = new CompletableFuture<>();
        final Thread thread;

        Lookup(int linkPort) throws IOException {
            thread = new Thread(() -> serve(linkPort), "lookup");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve(int linkPort) {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("PORT?")) {
                        out.write(("PORT " + linkPort + "\n").getBytes(StandardCharsets.US_ASCII));
                    } else if (line.startsWith("CALL ")) {
                        try (Socket back = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(line.substring(5)))) {
                            back.getOutputStream().write("SRQ 1\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                }
                clientClosed.complete(null); // end of stream: the client closed channel 1
            } catch (IOException e) {
                clientClosed.completeExceptionally(e);
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void channelsConnectListenCarryBytesEndAndClose(Kind kind) throws Exception {
        MockInstrument mock = MockInstrument.tcp().scpi();
        open.add(mock);
        Lookup lookup = new Lookup(mock.port());
        open.add(lookup);
        AtomicReference<ChannelProbeMachine> made = new AtomicReference<>();
        open.add(Sessions.override((endpoint, config) -> {
            ChannelProbeMachine m = new ChannelProbeMachine(config);
            m.lookupPort = lookup.port();
            made.set(m);
            return m;
        }));
        String endpoint = "hislip://127.0.0.1:" + lookup.port() + "/hislip0"; // any LAN endpoint: the override decides
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).build();
        BlockingQueue<Frame> pushed = new LinkedBlockingQueue<>();
        AutoCloseable client;
        String idn;
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(endpoint, cfg, WAIT);
            client = b;
            idn = b.query("*IDN?");
            // the frame may come before any consumer could register: the poll queue keeps every pushed frame
            Frame first = b.pollPushed(WAIT);
            if (first != null) {
                pushed.add(first);
            }
        } else {
            NettyClient n = NettyClient.open(endpoint, cfg);
            client = n::close;
            n.pushed().subscribe(new Flow.Subscriber<>() {
                public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                public void onNext(Frame f) { pushed.add(f); }
                public void onError(Throwable t) { }
                public void onComplete() { }
            });
            n.ready(WAIT).get(10, TimeUnit.SECONDS);
            idn = n.query("*IDN?").get(10, TimeUnit.SECONDS);
        }
        ChannelProbeMachine m = made.get();
        assertThat(idn).as("the link went where channel 1 said").contains("LABWIRE");
        Frame f = pushed.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("bytes from the accepted channel 2").isNotNull();
        assertThat(f.asString()).isEqualTo("ch2:SRQ 1");
        await(() -> m.reports.contains("down 2 EOFException"), "channel 2's end of stream reported: " + m.reports);
        assertThat(m.reports).containsSubsequence("up 1", "line 1 PORT " + mock.port(), "listening 2 4", "up 2",
                "line 2 SRQ 1", "down 2 EOFException");
        assertThat(m.reports).noneMatch(r -> r.startsWith("failed") || r.equals("down 1 EOFException"));

        long t0 = System.nanoTime();
        client.close();
        lookup.clientClosed.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("close() closed channel 1").isLessThan(Duration.ofSeconds(5));
        assertThat(m.reports).as("no report after close").doesNotContain("down 1 EOFException");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aChannelThatCannotConnectIsReportedFailed(Kind kind) throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: nothing listens there
        }
        AtomicReference<ChannelProbeMachine> made = new AtomicReference<>();
        int lookupPort = dead;
        open.add(Sessions.override((endpoint, config) -> {
            ChannelProbeMachine m = new ChannelProbeMachine(config);
            m.lookupPort = lookupPort;
            made.set(m);
            return m;
        }));
        String endpoint = "hislip://127.0.0.1:" + dead + "/hislip0";
        if (kind == Kind.BLOCKING) {
            open.add(BlockingClient.open(endpoint));
        } else {
            NettyClient n = NettyClient.open(endpoint);
            open.add(n::close);
        }
        await(() -> made.get() != null && made.get().reports.contains("failed 1 ConnectException"),
                "the refused channel reported");
        assertThat(made.get().reports).containsExactly("failed 1 ConnectException");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // poll interval of the condition, not a wait for it
        }
    }
}
