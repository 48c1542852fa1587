package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.testing.Chunking;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#pollReceiveWindow()} and {@link Connection#receiveInWindow}: a driver that reads a block's bytes
 * straight into the frame gets the same events as one that hands every byte to {@link Connection#receive}, whatever
 * the reads, with the line reply after the block in the same read; a window never takes bytes beyond its block; a
 * window made void (the link dropped meanwhile) takes its bytes as {@code receive} would; a lying header gets room for
 * what arrived only.
 */
class ReceiveWindowConnectionTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] block(byte[] data, String trailer) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String len = Integer.toString(data.length);
        b.writeBytes(ascii("#" + len.length() + len));
        b.writeBytes(data);
        b.writeBytes(ascii(trailer));
        return b.toByteArray();
    }

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(0);
        c.linkUp(0);
        drain(c);
        return c;
    }

    private static List<String> drain(Connection c) {
        while (c.pollTransmit() != null) {
            // written
        }
        List<String> out = new ArrayList<>();
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(show(e));
        }
        return out;
    }

    private static String show(Event e) {
        if (e instanceof Event.Reply r) {
            byte[] b = r.frame().toByteArray();
            return "reply " + r.id() + " " + b.length + " " + Arrays.hashCode(b);
        }
        if (e instanceof Event.Failed f) {
            return "failed " + f.id() + " " + f.cause().getClass().getSimpleName() + ": " + f.cause().getMessage();
        }
        return e.getClass().getSimpleName();
    }

    /**
     * A driver: each chunk is what the link has; while the connection offers a window, a read puts at most
     * {@code cap} bytes of it there, else the rest of the chunk goes to {@code receive}. Counts window reads.
     */
    private static List<String> run(Connection c, List<byte[]> chunks, int cap, int[] windowReads, long[] now) {
        List<String> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            int at = 0;
            while (at < chunk.length) {
                ByteBuffer w = c.pollReceiveWindow();
                now[0] += 1000;
                if (w != null) {
                    int k = Math.min(Math.min(w.remaining(), cap), chunk.length - at);
                    w.put(chunk, at, k);
                    at += k;
                    c.receiveInWindow(k, now[0]);
                    windowReads[0]++;
                } else {
                    c.receive(ByteBuffer.wrap(chunk, at, chunk.length - at), now[0]);
                    at = chunk.length;
                }
                out.addAll(drain(c));
            }
        }
        return out;
    }

    /** Block (with CR LF) then a line reply, both asked for at once. */
    private static List<String> blockThenLine(List<byte[]> chunks, int cap, int[] windowReads) {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(2).build());
        c.send(Request.of("CURV?", Expect.block()), 0);
        c.send(Request.query("*OPC?"), 0);
        drain(c);
        return run(c, chunks, cap, windowReads, new long[1]);
    }

    @Test
    void aBlockThenALineReplyInTheSameReadGiveTheSameRepliesAtEverySplit() {
        byte[] data = random(200, 7);
        byte[] fixture = new ByteArrayOutputStream() {
            {
                writeBytes(block(data, "\r\n"));
                writeBytes(ascii("1\n"));
            }
        }.toByteArray();
        List<String> expected = blockThenLine(List.of(fixture), Integer.MAX_VALUE, new int[1]);
        assertThat(expected).hasSize(2);
        assertThat(expected.get(0)).startsWith("reply 1 200 " + Arrays.hashCode(data));
        assertThat(expected.get(1)).isEqualTo("reply 2 1 " + Arrays.hashCode(ascii("1")));
        for (int cap : new int[] {1, 13, Integer.MAX_VALUE}) {
            int[] reads = {0};
            Chunking.assertEveryChunkingAndGarbage(fixture, ascii("garbage\n"), chunks -> blockThenLine(chunks, cap, reads),
                    expected);
            assertThat(reads[0]).as("window reads with cap %d", cap).isPositive();
        }
    }

    @Property(tries = 100)
    void randomSplitsAndReadSizesGiveTheSameRepliesAsReceiveAlone(@ForAll @IntRange(min = 0, max = 3000) int length,
            @ForAll @IntRange(min = 1, max = 4000) int cap, @ForAll long seed) {
        byte[] data = random(length, seed);
        byte[] fixture = new ByteArrayOutputStream() {
            {
                writeBytes(block(data, seed % 2 == 0 ? "\n" : ""));
                writeBytes(ascii("OK\n"));
            }
        }.toByteArray();
        // the reference: every byte through receive, whole
        Connection ref = ready(ConnectionConfig.builder().maxInFlight(2).build());
        ref.send(Request.of("CURV?", Expect.block()), 0);
        ref.send(Request.query("*OPC?"), 0);
        drain(ref);
        ref.receive(ByteBuffer.wrap(fixture), 1);
        List<String> expected = drain(ref);
        assertThat(expected).hasSize(2);
        assertThat(blockThenLine(Chunking.randomSplit(fixture, new Random(seed)), cap, new int[1])).isEqualTo(expected);
    }

    @Test
    void aWindowNeverTakesTheBytesAfterItsBlock() {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(2).build());
        c.send(Request.of("CURV?", Expect.block()), 0);
        c.send(Request.query("*OPC?"), 0);
        drain(c);
        c.receive(ByteBuffer.wrap(ascii("#3100abc")), 1);
        ByteBuffer w = c.pollReceiveWindow();
        assertThat(w.position()).isEqualTo(3);
        assertThat(w.remaining()).as("the block's 97 bytes left, not one more").isEqualTo(97);
        w.put(new byte[97]);
        c.receiveInWindow(97, 2);
        assertThat(c.pollReceiveWindow()).as("the block is whole: the trailer and the line come through receive").isNull();
        c.receive(ByteBuffer.wrap(ascii("\n1\n")), 3);
        assertThat(drain(c)).containsExactly("reply 1 100 " + Arrays.hashCode(Arrays.copyOf(ascii("abc"), 100)),
                "reply 2 1 " + Arrays.hashCode(ascii("1")));
    }

    @Test
    void aLyingHeaderGetsRoomForWhatArrivedOnly() {
        Connection c = ready(ConnectionConfig.builder().maxFrameLength(1 << 30).build());
        c.send(Request.of("CURV?", Expect.block()), 0);
        drain(c);
        ByteBuffer header = ByteBuffer.allocate(21);
        header.put(ascii("#9999999999")).put(new byte[10]).flip();
        c.receive(header, 1);
        ByteBuffer w = c.pollReceiveWindow();
        assertThat(w.capacity()).as("the array for 10 bytes of a block announced at 999,999,999").isEqualTo(10 + (1 << 20));
        assertThat(c.pollReceiveWindow().capacity()).as("asking again allocates nothing").isEqualTo(10 + (1 << 20));
    }

    @Test
    void aHalfSentBlockThenEndOfStreamFailsTheCallAsWithoutWindows() {
        List<String> failures = new ArrayList<>();
        for (boolean windows : new boolean[] {false, true}) {
            Connection c = ready(ConnectionConfig.builder().build());
            c.send(Request.of("CURV?", Expect.block()), 0);
            drain(c);
            c.receive(ByteBuffer.wrap(ascii("#41000abc")), 1);
            if (windows) {
                ByteBuffer w = c.pollReceiveWindow();
                w.put(new byte[500]);
                c.receiveInWindow(500, 2);
            } else {
                c.receive(ByteBuffer.wrap(new byte[500]), 2);
            }
            assertThat(drain(c)).isEmpty();
            c.receiveEof(3);
            c.linkDown(new java.io.EOFException("closed"), 3);
            failures.add(drain(c).get(0));
        }
        assertThat(failures.get(0)).startsWith("failed 1").contains("503 of the 1000");
        assertThat(failures.get(1)).isEqualTo(failures.get(0));
    }

    @Test
    void aWindowMadeVoidByALinkDropTakesItsBytesAsReceiveWould() {
        Connection c = ready(ConnectionConfig.builder().build());
        c.send(Request.of("CURV?", Expect.block()), 0);
        drain(c);
        c.receive(ByteBuffer.wrap(ascii("#3100abc")), 1);
        ByteBuffer w = c.pollReceiveWindow();
        c.linkDown(new java.io.IOException("reset"), 2); // meanwhile, under the driver's lock
        List<String> events = drain(c);
        assertThat(events).filteredOn(e -> e.startsWith("failed") || e.startsWith("reply")).hasSize(1);
        assertThat(events.get(0)).startsWith("failed 1");
        w.put(new byte[97]);
        c.receiveInWindow(97, 3); // the read that was under way: dropped, as receive drops bytes on a down link
        assertThat(drain(c)).filteredOn(e -> e.startsWith("failed") || e.startsWith("reply")).isEmpty();
        assertThat(c.bufferedBytes()).isZero();
    }

    @Test
    void misuseIsRefusedNamingTheCounts() {
        Connection c = ready(ConnectionConfig.builder().build());
        assertThatThrownBy(() -> c.receiveInWindow(5, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no window was handed out");
        c.send(Request.of("CURV?", Expect.block()), 0);
        drain(c);
        c.receive(ByteBuffer.wrap(ascii("#3100abc")), 1);
        ByteBuffer w = c.pollReceiveWindow();
        assertThatThrownBy(() -> c.receiveInWindow(98, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("98 bytes").hasMessageContaining("window of 97");
        c.receiveInWindow(0, 2); // nothing read: the window stays
        c.receive(ByteBuffer.wrap(new byte[7]), 3);
        assertThatThrownBy(() -> c.receiveInWindow(1, 4)).as("bytes received since: the window is void")
                .isInstanceOf(IllegalStateException.class);
        assertThat(w).isNotNull();
        assertThatThrownBy(() -> new LinkMachine() {
            public State state() { return null; }
            public void open(long n) { }
            public void linkUp(long n) { }
            public void linkFailed(Throwable t, long n) { }
            public void linkDown(Throwable t, long n) { }
            public void close(long n) { }
            public void receive(ByteBuffer d, long n) { }
            public void receiveEof(long n) { }
            public void handleTimeout(long n) { }
            public ByteBuffer pollTransmit() { return null; }
            public int pollTransmit(ByteBuffer d) { return 0; }
            public java.util.OptionalLong pollTimeout() { return java.util.OptionalLong.empty(); }
            public boolean cancel(long id, long n) { return false; }
            public Event nextEvent() { return Event.NeedData.INSTANCE; }
        }.receiveInWindow(1, 0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("no receive window");
    }
}
