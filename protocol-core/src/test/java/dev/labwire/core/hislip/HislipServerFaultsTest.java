package dev.labwire.core.hislip;

import static dev.labwire.core.hislip.HislipPair.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Request;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A HiSLIP server that misbehaves on the synchronous channel, played by hand against the Sans-IO session on a virtual
 * clock ({@link HislipPair}), each fixture fed whole, byte by byte and at every split ({@link Chunking}): an Error
 * instead of the reply, a reply whose length field is huge, replies with the wrong message id, a vendor-specific
 * message. What each call ends with, and when, must not depend on how the bytes were cut.
 * ({@code HislipFaultyPeerTest} in examples plays the same faults over TCP with a python server.)
 */
class HislipServerFaultsTest {

    private static final int FIRST = HislipMessage.INITIAL_MESSAGE_ID;
    private static final long TIMEOUT = 500 * MS;
    private static final ConnectionConfig CONFIG = ConnectionConfig.builder()
            .defaultTimeout(Duration.ofNanos(TIMEOUT)).connectTimeout(Duration.ofSeconds(2)).build();
    /** 2^62: a length field no payload will ever fill. */
    private static final long HUGE = 1L << 62;

    // ---- (1) an Error instead of the reply ----

    @Test
    void anErrorFailsTheAwaitedQueryAtOnceAndItsReplyThatStillComesReachesNobody() {
        byte[] fixture = concat(HislipMessage.error(0, "peer error").encode(),
                reply(FIRST, "late\n"));               // the reply after all, carrying the abandoned id
        List<String> whole = errorThenLateReply(List.of(fixture));
        String error = "HiSLIP server sent Error 0 (Unidentified error): peer error";
        assertThat(whole).containsExactly(
                "ProtocolError " + error,
                "Failed #1 RemoteProtocolException: " + error + ", while " + Request.query("ERROR?")
                        + " awaited its reply: the server discards a message it reports in error, so no reply will"
                        + " come (one that still does is discarded by its message id)",
                "Discarded LATE_REPLY late\n",
                "Reply #2 after");
        Chunking.assertEveryChunking(fixture, this::errorThenLateReply, whole);
    }

    /**
     * ERROR? is answered with the chunks, ECHO? after waits behind it; then ECHO?'s own reply. Asserts that ERROR? ended
     * with no time passing and that ECHO? went out with the next message id; returns the events after the handshake.
     */
    private List<String> errorThenLateReply(List<byte[]> chunks) {
        HislipPair p = answeredWith("ERROR?", chunks);
        assertThat(p.written()).as("the next query, with the next id, on the Error")
                .extracting(HislipMessage::messageId).containsExactly(FIRST + 2);
        p.fromServer(reply(FIRST + 2, "after\n"));
        p.advanceTo(p.now() + 10 * TIMEOUT);       // nothing else ends later, and nothing ends twice
        assertThat(p.session.discardedReplies()).isEqualTo(1);
        return p.sinceReady();
    }

    /**
     * A ready pair with {@code query} (request #1) on the wire and ECHO? after (#2) queued behind it, fed {@code chunks}
     * as the server's answer; the clock has not moved, and #1 has ended already.
     */
    private static HislipPair answeredWith(String query, List<byte[]> chunks) {
        HislipPair p = HislipPair.ready(CONFIG);
        p.send(Request.query(query));
        p.send(Request.query("ECHO? after"));
        assertThat(p.written()).extracting(HislipMessage::messageId).containsExactly(FIRST);
        chunks.forEach(p::fromServer);
        assertThat(p.sinceReady()).as("%s ended at once, no time passing", query).anyMatch(e -> e.startsWith("Failed #1 "));
        return p;
    }

    @Test
    void anErrorWhileNoQueryAwaitsFailsNothing() {
        byte[] fixture = HislipMessage.error(2, "odd").encode();
        Chunking.assertEveryChunking(fixture, chunks -> {
            HislipPair p = HislipPair.ready(CONFIG);
            chunks.forEach(p::fromServer);
            p.send(Request.query("ECHO? x"));
            p.fromServer(reply(p.written().get(0).messageId(), "x\n"));
            return p.sinceReady();
        }, List.of("ProtocolError HiSLIP server sent Error 2 (Unrecognized control code): odd", "Reply #1 x"));
    }

    // ---- (2) the awaited reply's length field is huge ----

    @Test
    void aHugeLengthOnTheAwaitedReplyFailsItAtOnceAndTheSessionIsMadeAgain() {
        byte[] fixture = concat(hugeHeader(MessageType.DATA_END, FIRST), filler(200));
        List<String> whole = hugeReply(List.of(fixture));
        String skipped = "HiSLIP sync channel: DataEnd announces a payload of 4611686018427387904 bytes, over the"
                + " maximum message size of 1048576 bytes (1048560 payload + 16 header); its payload is skipped";
        assertThat(whole).containsExactly(
                "ProtocolError " + skipped,
                "Failed #1 RemoteProtocolException: " + skipped + "; it was the reply to " + Request.query("HUGE?"),
                "ProtocolError " + skipped + ", more than the maximum message size the server was given: the session is"
                        + " made again",
                "CloseLink",
                "CloseChannel 1",
                "StateChanged DOWN",
                "OpenLink",
                "StateChanged ON_CONNECT",
                "StateChanged READY",
                "Reply #2 after");
        Chunking.assertEveryChunking(fixture, this::hugeReply, whole);
    }

    /**
     * HUGE? is answered with the chunks, ECHO? after waits behind it. Asserts HUGE? failed with no time passing and the
     * link was given up at once; then the session is made again after its backoff and ECHO? after is answered on the
     * new link (message ids start again). Returns the events after the first handshake.
     */
    private List<String> hugeReply(List<byte[]> chunks) {
        HislipPair p = answeredWith("HUGE?", chunks);
        assertThat(p.written()).as("the Error \"Message too large\" answer goes out before the link is given up")
                .extracting(m -> m.type() + " " + m.controlCode()).containsExactly(MessageType.ERROR + " 4");
        long start = p.now();
        assertThat(p.sinceReady()).as("renewed by the length field, not by the clock").contains("CloseLink");
        p.advanceTo(p.session.pollTimeout().getAsLong());  // the backoff
        assertThat(p.now() - start).as("the backoff, not HUGE?'s deadline").isLessThan(TIMEOUT);
        p.handshake();
        assertThat(p.written()).extracting(HislipMessage::messageId).containsExactly(FIRST);
        p.fromServer(reply(FIRST, "after\n"));
        List<String> out = new ArrayList<>();
        for (String e : p.sinceReady()) {
            if (e.startsWith("OpenLink")) {
                out.add("OpenLink");
            } else if (!e.startsWith("StateChanged CONNECTING") && !e.startsWith("OpenChannel")) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void aHugeLengthIsSkippedNeverBufferedAndItsHeaderIsKept() {
        byte[] fixture = concat(hugeHeader(MessageType.DATA_END, FIRST + 2), filler(300));
        Chunking.assertEveryChunking(fixture, chunks -> {
            HislipDecoder d = new HislipDecoder("sync");
            List<String> out = new ArrayList<>();
            for (byte[] c : chunks) {
                d.receive(ByteBuffer.wrap(c));
                HislipBytes.drain(d, out);
                assertThat(d.buffered()).as("at most a partial header is held").isLessThan(HislipMessage.HEADER_LENGTH);
            }
            assertThat(d.skipping()).isEqualTo(HUGE - 300);
            HislipMessage h = d.oversizedHeader();
            out.add(h.type() + " 0x" + Integer.toHexString(h.messageId()) + " " + h.payloadLength());
            return out;
        }, List.of("FAILURE error Error 4", "DATA_END 0xffffff02 0"));
    }

    // ---- (3) replies with another message id, then the deadline ----

    @Test
    void aTimeoutNamesTheDataEndsThatCameWithAnotherMessageId() {
        byte[] fixture = concat(reply(FIRST + 2, "wrong\n"),                        // id + 2
                reply(HislipMessage.UNSOLICITED_MESSAGE_ID, "unsolicited\n"));      // not for a DataEnd
        List<String> whole = wrongIds(List.of(fixture));
        String others = " with another message id came and %s discarded (the last: 0x%s, from an earlier request or"
                + " a server that numbers its replies wrong)";
        assertThat(whole).containsExactly(
                "Discarded LATE_REPLY wrong\n",
                "Discarded LATE_REPLY unsolicited\n",
                "Timeout #1 written: no DataEnd with message id 0xffffff00; a late reply will be discarded by its id; "
                        + "2 DataEnds" + others.formatted("were", "ffffffff"),
                "Reply #2 two",
                "Discarded LATE_REPLY late\n",
                "Timeout #3 written: no DataEnd with message id 0xffffff04; a late reply will be discarded by its id; "
                        + "a DataEnd" + others.formatted("was", "ffffff00"),
                "Timeout #4 written: no DataEnd with message id 0xffffff06; a late reply will be discarded by its id");
        Chunking.assertEveryChunking(fixture, this::wrongIds, whole);
    }

    /**
     * ONE? is answered with the chunks and times out at its deadline (not a nanosecond before); TWO? gets its own
     * reply; THREE? sees ONE?'s late reply (discarded) and times out naming it; FOUR? hears nothing and its timeout
     * names nothing of the earlier ones. Returns the events after the handshake.
     */
    private List<String> wrongIds(List<byte[]> chunks) {
        HislipPair p = HislipPair.ready(CONFIG);
        p.send(Request.query("ONE?"));
        long deadline = p.now() + TIMEOUT;
        p.written();
        for (byte[] c : chunks) {
            p.fromServer(c);
        }
        p.advanceTo(deadline - 1);
        assertThat(p.log()).noneMatch(e -> e.startsWith("Timeout"));
        p.advanceTo(deadline);
        p.send(Request.query("TWO?"));
        p.fromServer(reply(p.written().get(0).messageId(), "two\n"));
        p.send(Request.query("THREE?"));
        p.written();
        p.fromServer(reply(FIRST, "late\n"));
        p.advanceTo(p.now() + TIMEOUT);
        p.send(Request.query("FOUR?"));
        p.written();
        p.advanceTo(p.now() + TIMEOUT);
        return p.sinceReady();
    }

    // ---- (4) a message type the client does not know ----

    @Test
    void aVendorSpecificTypeIsAnsweredWithError3AndAReservedOneWithError1() {
        for (int type : new int[] {200, 128, 255, 100}) {
            int code = type >= 128 ? 3 : 1;
            HislipMessage odd = new HislipMessage(type, 5, 0x1234, "v".getBytes(StandardCharsets.US_ASCII));
            byte[] fixture = concat(odd.encode(), reply(FIRST, "ok\n"));
            Chunking.assertEveryChunking(fixture, chunks -> {
                HislipPair p = HislipPair.ready(CONFIG);
                p.send(Request.query("VENDOR?"));
                p.written();
                chunks.forEach(p::fromServer);
                List<String> out = new ArrayList<>(p.sinceReady());
                p.written().forEach(m -> out.add("wrote " + m.type().specName() + " " + m.controlCode() + " "
                        + m.text()));
                return out;
            }, List.of("ProtocolError HiSLIP synchronous channel: unexpected " + odd, "Reply #1 ok",
                    "wrote Error " + code + " " + ErrorCode.describe(code)));
        }
    }

    // ---- a FatalError, then the server closes both channels ----

    @Test
    void aFatalErrorTheSessionReadBeforeTheChannelsEndedStaysTheReason() {
        byte[] fixture = HislipMessage.fatalError(0, "peer fatal").encode();
        List<String> whole = fatalThenClosed(List.of(fixture));
        String fatal = "HiSLIP server sent FatalError 0 (" + FatalErrorCode.describe(0) + "): peer fatal";
        assertThat(whole).first().isEqualTo("ProtocolError " + fatal);
        assertThat(whole).filteredOn(e -> e.startsWith("Failed #1 ")).singleElement().asString()
                .contains("LinkDownException").contains(fatal).doesNotContain("end of stream");
        assertThat(whole).noneMatch(e -> e.contains("end of stream"));
        Chunking.assertEveryChunking(fixture, this::fatalThenClosed, whole);
    }

    /**
     * FATAL? is answered with the chunks; then the driver reports what it reads next, both channels' ends (the
     * asynchronous one first). Returns the events after the handshake.
     */
    private List<String> fatalThenClosed(List<byte[]> chunks) {
        HislipPair p = HislipPair.ready(CONFIG);
        p.send(Request.query("FATAL?"));
        p.written();
        chunks.forEach(p::fromServer);
        java.io.EOFException eof = new java.io.EOFException("channel 1 end of stream");
        p.session.channelDown(1, eof, p.now());
        p.session.receiveEof(p.now());
        p.session.linkDown(new java.io.EOFException("channel 0 end of stream"), p.now());
        return p.sinceReady();
    }

    // ---- fixtures ----

    private static byte[] reply(int messageId, String text) {
        return HislipMessage.dataEnd(false, messageId, text.getBytes(StandardCharsets.US_ASCII)).encode();
    }

    /** A header of {@code type} carrying {@code messageId} whose length field says {@link #HUGE} bytes. */
    private static byte[] hugeHeader(MessageType type, int messageId) {
        return ByteBuffer.allocate(HislipMessage.HEADER_LENGTH).put((byte) 'H').put((byte) 'S')
                .put((byte) type.code()).put((byte) 0).putInt(messageId).putLong(HUGE).array();
    }

    private static byte[] filler(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 'x');
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
