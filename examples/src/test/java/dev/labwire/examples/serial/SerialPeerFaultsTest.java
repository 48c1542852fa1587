package dev.labwire.examples.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.examples.NettyFutures;
import dev.labwire.netty.NettyClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both clients against {@code faulty_serial_peer.py}, a line-based serial device written in plain Python on a socat pty
 * pair (no labwire code on the device side), playing what RS232 and USB-serial devices do: echo on, lines ended LF CR
 * and paced at 9600 baud, a board that reboots when its port opens (garbage at the wrong baud, then a banner) or when
 * its watchdog fires. Every reply names its call ({@code ECHO? t<n>} answers {@code t<n>}), so a reply that reached
 * another call shows; a call that cannot be answered fails with an exception that says what came.
 */
class SerialPeerFaultsTest {
    enum Kind { BLOCKING, NETTY }

    interface Client extends AutoCloseable {
        String query(String command, Duration timeout);

        double queryNumber(String command);

        void write(String command);

        /** Each pushed frame's text, to {@code sink}, until the client closes. */
        void onPushed(java.util.function.Consumer<String> sink);

        @Override
        void close();
    }

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void needsPythonAndSocat() {
        assumeTrue(SerialPeer.available(), "needs /usr/bin/python3 and socat");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private SerialPeer peer(String... faults) {
        SerialPeer p = SerialPeer.start(faults);
        open.add(p);
        return p;
    }

    private Client client(Kind kind, String endpoint, ConnectionConfig config) {
        Client c;
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.open(endpoint, config);
            c = new Client() {
                public String query(String command, Duration timeout) {
                    return b.query(command, timeout);
                }

                public double queryNumber(String command) {
                    return b.queryNumber(command);
                }

                public void write(String command) {
                    b.write(command);
                }

                public void onPushed(java.util.function.Consumer<String> sink) {
                    b.onPushed(f -> sink.accept(f.asString()));
                }

                public void close() {
                    b.close();
                }
            };
        } else {
            NettyClient n = NettyClient.open(endpoint, config);
            c = new Client() {
                public String query(String command, Duration timeout) {
                    return join(n.query(command, timeout));
                }

                public double queryNumber(String command) {
                    return join(n.queryNumber(command));
                }

                public void write(String command) {
                    join(n.write(command));
                }

                public void onPushed(java.util.function.Consumer<String> sink) {
                    n.pushed().subscribe(new java.util.concurrent.Flow.Subscriber<>() {
                        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                        }

                        public void onNext(dev.labwire.core.frame.Frame f) {
                            sink.accept(f.asString());
                        }

                        public void onError(Throwable t) {
                        }

                        public void onComplete() {
                        }
                    });
                }

                public void close() {
                    join(n.close());
                }
            };
        }
        open.add(c);
        return c;
    }

    /** The future's value, or its failure thrown as it is (as the blocking client would). */
    static <T> T join(CompletableFuture<T> f) {
        return NettyFutures.join(f, Duration.ofSeconds(60));
    }

    private static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0))
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofMillis(300)));
    }

    /** A figure for docs/RELIABILITY.md, in the test's output (timings are measured, never asserted tightly). */
    private static void figure(Kind kind, String format, Object... args) {
        System.out.println("serial peer figure (" + kind + "): " + String.format(format, args));
    }

    /** {@code ECHO? t<i>}: its reply, or the exception it ended with; a reply that is not {@code t<i>} fails the test. */
    private static Object call(Client c, int i, Duration timeout) {
        try {
            String r = c.query("ECHO? t" + i, timeout);
            assertThat(r).as("the reply to ECHO? t%d", i).isEqualTo("t" + i);
            return r;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * A device with echo on (an RS232 terminal, a board's console) sends every command line back, as typed: the text,
     * then CR LF. Before (2026-12-04), with {@code Echo.NONE}, 10 of 10 calls got their own command as their reply and
     * nothing said why; with the sets of a program that writes before it reads, 10 of 10 got the setting. Now each such
     * call fails naming the echo and the setting, and no reply reaches another call; set as the message says, the same
     * device answers every call.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDeviceWithEchoOnNeverHandsACallAnEchoOrAnotherCallsReply(Kind kind) {
        SerialPeer p = peer("echo");
        Client c = client(kind, p.endpoint(), config().build());
        for (int i = 0; i < 4; i++) {
            assertThat(call(c, i, Duration.ofSeconds(5))).as("call %d", i).isInstanceOfSatisfying(RemoteProtocolException.class,
                    e -> assertThat(e).hasMessageContaining("is the command itself (\"ECHO? t")
                            .hasMessageContaining("echoes what it is sent").hasMessageContaining("Echo.CHECK_AND_DROP"));
        }
        // a program that writes a setting, then reads: the first query may get the setting's echo (nothing has shown
        // the echo yet: a device may answer "MODE?" with the very setting "MODE A"); none after it does
        for (int i = 10; i < 16; i++) {
            c.write("SET " + i);
            Object r = call(c, i, Duration.ofSeconds(5));
            assertThat(r).as("call %d", i).isInstanceOfSatisfying(RemoteProtocolException.class,
                    e -> assertThat(e).hasMessageContaining("echoes what it is sent"));
        }
        // a fresh device for each setting: the socat pty keeps what the device sent after a client closed its port
        Client checked = client(kind, peer("echo").endpoint(), config().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build());
        assertThat(call(checked, 20, Duration.ofSeconds(5))).isInstanceOfSatisfying(RemoteProtocolException.class,
                e -> assertThat(e).hasMessageContaining("echo mismatch").hasMessageContaining("writeTerminator"));
        Client right = client(kind, peer("echo").endpoint(), config().echo(ConnectionConfig.Echo.CHECK_AND_DROP).writeTerminator("\r\n").build());
        for (int i = 30; i < 40; i++) {
            right.write("SET " + i);
            assertThat(call(right, i, Duration.ofSeconds(5))).isEqualTo("t" + i);
        }
    }

    /**
     * A device that answers every setting with "OK" a few milliseconds later ({@code SET n}, then {@code ECHO? tn}).
     * Without {@code writeAcknowledgement}, queries get an "OK" or a reply before their own (the red team saw 10 of 10
     * wrong; replies carry no tag); with {@code writeAcknowledgement("OK")}, each write ends at its "OK" and every
     * query gets its own reply.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDeviceThatAnswersEverySettingIsToldAndEveryQueryGetsItsOwnReply(Kind kind) {
        Client plain = client(kind, peer("ok", "ok_ms=5").endpoint(), config().build());
        int wrong = 0;
        for (int i = 0; i < 10; i++) {
            plain.write("SET " + i);
            Object r;
            try {
                r = plain.query("ECHO? t" + i, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                r = e;
            }
            wrong += ("t" + i).equals(r) ? 0 : 1;
        }
        figure(kind, "without writeAcknowledgement, %d of 10 queries after a setting got no reply of their own", wrong);
        Client told = client(kind, peer("ok", "ok_ms=5").endpoint(), config().writeAcknowledgement("OK").build());
        for (int i = 0; i < 10; i++) {
            told.write("SET " + i);
            assertThat(call(told, i, Duration.ofSeconds(5))).as("call %d", i).isEqualTo("t" + i);
        }
    }

    /**
     * Replies ended LF CR, a byte a millisecond (9600 baud): the CR comes after the call has its reply and the next
     * command is on the wire. Before (2026-12-04), that CR was an empty line, the next call's reply, and every later
     * reply went to the call after its own (9 of 10 wrong). Lines ended CR, CR LF, paced or not, held.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesEndedLfCrAtNineThousandSixHundredBaudReachTheirOwnCalls(Kind kind) {
        for (String eol : List.of("lfcr", "cr", "crlf")) {
            SerialPeer p = peer("eol=" + eol, "pace=1");
            Client c = client(kind, p.endpoint(), config().build());
            for (int i = 0; i < 15; i++) {
                assertThat(call(c, i, Duration.ofSeconds(5))).as("%s, call %d", eol, i).isEqualTo("t" + i);
            }
            c.close();
        }
    }

    /**
     * An Arduino-style board resets when its port opens: its bootloader drops what comes for 1.5 s, then the sketch
     * prints garbage (the bootloader's baud) and a banner. Without a quiet time the banner is the first call's reply
     * (a device setting, as the README says); with {@code quietAfterConnect} longer than the boot, a call that ends
     * meanwhile says why, and no call ever gets the banner. A watchdog reboot mid-session: the call written during the
     * boot times out; its link is renewed and must be quiet, so the garbage and banner that follow are discarded (a
     * banner without garbage before it would be pushed by the classifier), and the next calls are answered.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBoardThatRebootsWhenItsPortOpensOrItsWatchdogFires(Kind kind) {
        SerialPeer p = peer("boot", "garbage", "boot_ms=1500");
        Client c = client(kind, p.endpoint(), config().quietAfterConnect(Duration.ofMillis(2_000))
                .classifier(FrameClassifier.pushedIfStartsWith("Arduino".getBytes(StandardCharsets.US_ASCII))).build());
        long t0 = System.nanoTime();
        // 1.5 s: the link is up by then even on a loaded machine, and the quiet lasts until 3.5 s
        assertThatThrownBy(() -> c.query("ECHO? early", Duration.ofMillis(1_500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("quiet for 2000 ms (quietAfterConnect)").hasMessageNotContaining("hook");
        figure(kind, "a call of 1500 ms during the quiet after a board's boot ended after %d ms", (System.nanoTime() - t0) / 1_000_000);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the call ends by its deadline").isLessThan(Duration.ofMillis(3_400));
        long first = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(call(c, i, Duration.ofSeconds(15))).as("call %d", i).isEqualTo("t" + i);
            if (i == 0) {
                figure(kind, "the first call answered %d ms after the early one ended (boot 1.5 s, then 2 s quiet)",
                        (System.nanoTime() - first) / 1_000_000);
            }
        }
        // the watchdog: the board drops the query written during its boot and prints its banner 1.5 s later
        c.write("REBOOT");
        assertThatThrownBy(() -> c.query("ECHO? lost", Duration.ofMillis(1_000))).isInstanceOf(RequestTimeoutException.class);
        for (int i = 10; i < 13; i++) {
            assertThat(call(c, i, Duration.ofSeconds(15))).as("call %d after the reboot", i).isEqualTo("t" + i);
        }
        assertThat(p.log).filteredOn("BANNER"::equals).hasSize(2);
    }

    /**
     * What held: a NUL, XOFF XON, or a 0x00 glitch byte before each reply reaches its own call (the text keeps the byte;
     * a number is read, since SCPI numbers ignore control characters around them), a 0xFF glitch fails a number naming
     * it; a reply paced a byte a millisecond across its deadline ends the call by its deadline, and the next call gets
     * its own reply; close() with a call waiting on a silent device ends both at once.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void junkBytesASlowReplyAndCloseCostNoOtherCall(Kind kind) {
        for (String junk : List.of("nul", "xon", "glitch00")) {
            SerialPeer p = peer(junk);
            Client c = client(kind, p.endpoint(), config().build());
            for (int i = 0; i < 3; i++) {
                assertThat(c.queryNumber("ECHO? " + (i + 0.5))).as("%s, call %d", junk, i).isEqualTo(i + 0.5);
                assertThat(c.query("ECHO? t" + i, Duration.ofSeconds(5))).as("%s", junk).endsWith("t" + i).hasSizeLessThanOrEqualTo(4);
            }
            c.close();
        }
        SerialPeer ff = peer("glitchff");
        Client c = client(kind, ff.endpoint(), config().build());
        assertThatThrownBy(() -> c.queryNumber("ECHO? 2.5")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("not a SCPI number").hasMessageContaining("2.5");
        assertThat(c.query("ECHO? t9", Duration.ofSeconds(5))).as("the next call gets its own reply, the glitch aside")
                .isEqualTo("\u00fft9");
    }

    /** A reply paced a byte a millisecond (300 bytes, ~400 ms) against a 150 ms timeout; then close() with a call out. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSlowReplyAcrossItsDeadlineAndACloseWithACallOut(Kind kind) throws Exception {
        SerialPeer p = peer("pace=1");
        Client c = client(kind, p.endpoint(), config().build());
        assertThat(c.query("ECHO? ready", Duration.ofSeconds(5))).isEqualTo("ready");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.query("ECHO? " + "x".repeat(300), Duration.ofMillis(150))).isInstanceOf(RequestTimeoutException.class);
        Duration slow = Duration.ofNanos(System.nanoTime() - t0);
        figure(kind, "a 300-byte reply paced 1 ms a byte against 150 ms ended after %d ms", slow.toMillis());
        assertThat(slow).as("ended by its deadline").isLessThan(Duration.ofMillis(1_150));
        for (int i = 0; i < 3; i++) {
            assertThat(call(c, i, Duration.ofSeconds(5))).as("call %d after the slow one", i).isEqualTo("t" + i);
        }
        // close() while a call waits on a device that never answers it
        CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return c.query("SET silent?", Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                return e;
            }
        });
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!p.commands().contains("SET silent?")) { // wait for the condition, with a deadline
            assertThat(System.nanoTime() - until).as("the call is written within 10 s").isNegative();
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        long closing = System.nanoTime();
        c.close();
        Duration closed = Duration.ofNanos(System.nanoTime() - closing);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(RuntimeException.class);
        figure(kind, "close() with a call waiting on a silent device took %d ms, the call ended %d ms after close began",
                closed.toMillis(), (System.nanoTime() - closing) / 1_000_000);
        assertThat(closed).as("close").isLessThan(Duration.ofSeconds(3));
    }

    /**
     * Calls {@code ECHO? t<i>} for i from {@code from} to {@code to} (exclusive); returns how many did not get exactly
     * their own reply, each named in a figure line.
     */
    private static int wrongCalls(Kind kind, Client c, int from, int to, String what) {
        int wrong = 0;
        for (int i = from; i < to; i++) {
            Object r;
            try {
                r = c.query("ECHO? t" + i, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                r = e;
            }
            if (!("t" + i).equals(r)) {
                wrong++;
                figure(kind, "%s: call %d got %s", what, i, r);
            }
        }
        return wrong;
    }

    /** Waits until the peer has printed {@code line} (10 s at most). */
    private static void awaitLog(SerialPeer p, String line) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!p.log.contains(line)) { // wait for the condition, with a deadline
            assertThat(System.nanoTime() - until).as("the peer prints %s within 10 s", line).isNegative();
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }

    /**
     * XON/XOFF with {@code flow=xonxoff}: the device sends XOFF (its input buffer is full) and XON 2 s later. A call
     * made meanwhile with a 500 ms timeout must end by its deadline, saying that its command could not be sent (the
     * port's output is held: the device sent XOFF); the command goes out at XON, and its late reply must reach nobody:
     * the calls after it get their own replies.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void xoffHoldsTheOutputAndACallMadeMeanwhileEndsByItsDeadlineSayingSo(Kind kind) {
        SerialPeer p = peer();
        Client c = client(kind, p.endpoint("&flow=xonxoff"), config().build());
        assertThat(call(c, 0, Duration.ofSeconds(5))).isEqualTo("t0");
        c.write("HOLD 2000");
        awaitLog(p, "HELD");
        long t0 = System.nanoTime();
        Object held = call(c, 1, Duration.ofMillis(500));
        long heldMs = (System.nanoTime() - t0) / 1_000_000;
        figure(kind, "a 500 ms call while the device held XOFF ended after %d ms: %s", heldMs, held);
        assertThat(heldMs).as("ended by its deadline").isLessThan(1_500);
        awaitLog(p, "RELEASED");
        int wrong = wrongCalls(kind, c, 2, 8, "after XON");
        figure(kind, "after XON: %d of 6 calls wrong; the peer read %s", wrong, p.commands());
        assertThat(wrong).as("calls after XON that did not get their own reply").isZero();
        assertThat(held).isInstanceOfSatisfying(RequestTimeoutException.class,
                e -> assertThat(e).hasMessageContaining("XOFF").hasMessageContaining("flow=xonxoff"));
    }

    /**
     * XOFF XON inside a reply's text: with {@code flow=xonxoff} they are flow control and never part of a reply; with
     * {@code flow=none} they are data, as the device sent them. The device also says XON when it powers up, before the
     * client configured its port: the pty keeps that byte as data (its termios had no IXON then), and before
     * (2026-12-04) it was the start of the first reply ("\u0011t10"), both clients; the core now takes it out too.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void xonAndXoffInsideAReplyAreFlowControlWithXonXoffAndDataWithout(Kind kind) {
        SerialPeer p = peer("xoffin", "xonfirst");
        Client c = client(kind, p.endpoint("&flow=xonxoff"), config().build());
        int dirty = wrongCalls(kind, c, 10, 30, "XOFF XON inside replies");
        figure(kind, "flow=xonxoff, XOFF XON inside each reply: %d of 20 replies not exactly their text", dirty);
        assertThat(dirty).isZero();
        c.close();
        Client none = client(kind, peer("xoffin").endpoint(), config().build());
        assertThat(none.query("ECHO? t5", Duration.ofSeconds(5))).as("flow=none: the bytes are data").isEqualTo("t\u0013\u00115");
    }

    /**
     * A device that pushes a status line every 5 ms, each with an XOFF before it and an XON after it, while calls
     * run: with {@code flow=xonxoff} and a classifier every reply reaches its own call and every push reaches the
     * subscriber whole ("STAT <n>", no control byte in it).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void pushesAndRepliesAroundXoffXonReachTheirOwners(Kind kind) {
        SerialPeer p = peer("push=5", "xoffin");
        Client c = client(kind, p.endpoint("&flow=xonxoff"), config()
                .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build());
        List<String> pushed = new java.util.concurrent.CopyOnWriteArrayList<>();
        c.onPushed(pushed::add);
        int wrong = wrongCalls(kind, c, 0, 40, "pushes with XOFF XON");
        List<String> bad = pushed.stream().filter(t -> !t.matches("STAT \\d+")).toList();
        figure(kind, "pushes with XOFF XON around each: %d of 40 calls wrong, %d pushes seen, %d not clean %s",
                wrong, pushed.size(), bad.size(), bad);
        assertThat(wrong).isZero();
        assertThat(pushed).as("pushes reach the subscriber").isNotEmpty();
        assertThat(bad).as("pushes with a control byte in them").isEmpty();
    }
}
