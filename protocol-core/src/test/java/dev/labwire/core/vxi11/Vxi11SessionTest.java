package dev.labwire.core.vxi11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls;
import dev.labwire.core.vxi11.internal.Vxi11Calls.CreateLinkParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceReadParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceWriteParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import dev.labwire.core.vxi11.internal.Vxi11Session;
import dev.labwire.core.vxi11.internal.XdrStruct;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Vxi11Session with a fake clock against a device played by the test with the spec fixtures: portmapper lookup,
 * create_link, a query as device_write + device_read, operations, chunked writes, a timeout answered with device_abort
 * and the late reply dropped by its xid, errors and close.
 */
class Vxi11SessionTest {

    private static final Endpoint.Vxi11 ENDPOINT = new Endpoint.Vxi11("192.0.2.7", 111, "inst0");
    private long now = 1_000_000_000L;
    private Vxi11Session m;

    /** {@code fixture} (record-marked) with its xid replaced. */
    private static byte[] withXid(byte[] fixture, int xid) {
        byte[] b = fixture.clone();
        ByteBuffer.wrap(b).putInt(4, xid);
        return b;
    }

    private static byte[] reply(int xid, XdrStruct result) {
        return RecordMarking.frame(RpcReply.success(xid, result.encode()).encode());
    }

    private List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (Event e = m.nextEvent(); e != Event.NeedData.INSTANCE; e = m.nextEvent()) {
            out.add(e);
        }
        return out;
    }

    private List<RpcCall> calls(int channel) {
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(7);   // small: copies come in pieces
        while (true) {
            dst.clear();
            int n = channel == 0 ? m.pollTransmit(dst) : m.pollTransmit(channel, dst);
            if (n == 0) {
                break;
            }
            wire.write(dst.array(), 0, n);
        }
        RecordMarking rm = new RecordMarking(1 << 20);
        ByteBuffer in = ByteBuffer.wrap(wire.toByteArray());
        List<RpcCall> out = new ArrayList<>();
        for (byte[] rec; (rec = rm.receive(in)) != null; ) {
            out.add(RpcCall.decode(rec));
        }
        assertThat(rm.isMidRecord()).isFalse();
        return out;
    }

    private byte[] rawChannel(int channel) {
        ByteBuffer dst = ByteBuffer.allocate(4096);
        m.pollTransmit(channel, dst);
        return Arrays.copyOf(dst.array(), dst.position());
    }

    /** Opens, answers GETPORT (port 755) and create_link (lid 7, abort port 1024, {@code maxRecv}). */
    private void ready(ConnectionConfig config, long maxRecv) {
        m = new Vxi11Session(ENDPOINT, config);
        m.open(now);
        assertThat(events()).containsExactly(new Event.StateChanged(State.CONNECTING, null),
                new Event.OpenChannel(1, 111));
        m.channelUp(1, now);
        assertThat(rawChannel(1)).isEqualTo(withXid(Vxi11Fixtures.GETPORT_CALL, 1));   // byte for byte the spec's
        m.receive(1, ByteBuffer.wrap(withXid(Vxi11Fixtures.GETPORT_REPLY, 1)), now);
        assertThat(events()).containsExactly(new Event.CloseChannel(1, "the core channel's port is known"),
                new Event.OpenLink(1));
        assertThat(m.linkPort()).isEqualTo(755);
        m.linkUp(now);
        RpcCall create = calls(0).get(0);
        assertThat(create.procedure()).isEqualTo(Vxi11.CREATE_LINK);
        CreateLinkParms p = CreateLinkParms.decode(create.arguments());
        assertThat(p.device()).isEqualTo("inst0");
        assertThat(p.lockDevice()).isFalse();
        m.receive(ByteBuffer.wrap(reply(create.xid(), new CreateLinkResp(0, 7, 1024, maxRecv))), now);
        assertThat(events()).containsExactly(new Event.StateChanged(State.ON_CONNECT, null),
                new Event.StateChanged(State.READY, null));
        assertThat(m.linkId()).isEqualTo(7);
    }

    @Test
    void queryIsDeviceWriteWithEndThenDeviceReadUntilEnd_everyChunking() {
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.DEVICE_READ_REPLY, new byte[0], chunks -> {
            ready(ConnectionConfig.DEFAULT, 1 << 20);
            long id = m.send(Request.query("*IDN?"), now);
            RpcCall write = calls(0).get(0);
            DeviceWriteParms w = DeviceWriteParms.decode(write.arguments());
            assertThat(w.lid()).isEqualTo(7);
            assertThat(w.end()).isTrue();
            assertThat(new String(w.data(), StandardCharsets.US_ASCII)).isEqualTo("*IDN?\n");
            assertThat(w.ioTimeout()).isEqualTo(ConnectionConfig.DEFAULT.defaultTimeout().toMillis());
            m.receive(ByteBuffer.wrap(reply(write.xid(), new DeviceWriteResp(0, 6))), now);
            RpcCall read = calls(0).get(0);
            assertThat(read.procedure()).isEqualTo(Vxi11.DEVICE_READ);
            assertThat(DeviceReadParms.decode(read.arguments()).lid()).isEqualTo(7);
            byte[] fixture = withXid(Vxi11Fixtures.DEVICE_READ_REPLY, read.xid());
            List<String> seen = new ArrayList<>();
            int at = 0;
            for (byte[] c : chunks) {
                m.receive(ByteBuffer.wrap(fixture, at, c.length), now);
                at += c.length;
                for (Event e : events()) {
                    seen.add(e instanceof Event.Reply r ? "reply " + r.id() + " " + r.text() : e.toString());
                }
            }
            assertThat(id).isEqualTo(1);
            return seen;
        }, List.of("reply 1 ACME,X"));
    }

    @Test
    void writeIsCutAtMaxRecvSizeWithEndOnTheLastChunkAndShortWritesResumed() {
        ready(ConnectionConfig.DEFAULT, 4);
        m.send(Request.write("VOLT 5"), now);   // 7 bytes with the terminator
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            List<RpcCall> c = calls(0);
            if (c.isEmpty()) {
                break;
            }
            DeviceWriteParms w = DeviceWriteParms.decode(c.get(0).arguments());
            String data = new String(w.data(), StandardCharsets.US_ASCII);
            chunks.add(data + (w.end() ? "|END" : ""));
            long took = chunks.size() == 1 ? 3 : w.data().length;   // the device takes only 3 of the first 4
            m.receive(ByteBuffer.wrap(reply(c.get(0).xid(), new DeviceWriteResp(0, took))), now);
        }
        assertThat(chunks).containsExactly("VOLT", "T 5\n|END");
        List<Event> ev = events();
        assertThat(ev).hasSize(1);
        assertThat(ev.get(0)).isInstanceOf(Event.Reply.class);
    }

    @Test
    void operationsAreTheirProcedures() {
        ready(ConnectionConfig.DEFAULT, 1024);
        m.send(Request.operation(Operation.READ_STATUS_BYTE), now);
        RpcCall stb = calls(0).get(0);
        assertThat(stb.procedure()).isEqualTo(Vxi11.DEVICE_READSTB);
        m.receive(ByteBuffer.wrap(reply(stb.xid(), new DeviceReadStbResp(0, 0x50))), now);
        assertThat(((Event.Reply) events().get(0)).text()).isEqualTo("80");
        int[] procs = {Vxi11.DEVICE_CLEAR, Vxi11.DEVICE_TRIGGER, Vxi11.DEVICE_LOCK, Vxi11.DEVICE_UNLOCK,
            Vxi11.DEVICE_REMOTE, Vxi11.DEVICE_LOCAL};
        Operation[] ops = {Operation.CLEAR, Operation.TRIGGER, Operation.LOCK, Operation.UNLOCK, Operation.REMOTE,
            Operation.LOCAL};
        for (int i = 0; i < ops.length; i++) {
            m.send(Request.operation(ops[i]).withTimeout(Duration.ofMillis(700)), now);
            RpcCall c = calls(0).get(0);
            assertThat(c.procedure()).as("%s", ops[i]).isEqualTo(procs[i]);
            if (ops[i] == Operation.LOCK) {
                assertThat(Vxi11Calls.DeviceLockParms.decode(c.arguments()))
                        .isEqualTo(new Vxi11Calls.DeviceLockParms(7, Vxi11.FLAG_WAITLOCK, 525));   // 700 less a quarter for the answer
            }
            m.receive(ByteBuffer.wrap(reply(c.xid(), new DeviceError(ops[i] == Operation.LOCK ? 11 : 0))), now);
            Event e = events().get(0);
            if (ops[i] == Operation.LOCK) {
                assertThat(((Event.Failed) e).cause()).isInstanceOf(Vxi11Exception.class)
                        .hasMessage("device_lock: VXI-11 error 11 (device locked by another link)");
            } else {
                assertThat(e).isInstanceOf(Event.Reply.class);
            }
        }
    }

    @Test
    void timeoutAbortsTheCallAndItsLateReplyNeverReachesTheNextRequest() {
        ready(ConnectionConfig.DEFAULT, 1024);
        long first = m.send(Request.query("MEAS?").withTimeout(Duration.ofMillis(100)), now);
        RpcCall write = calls(0).get(0);
        m.receive(ByteBuffer.wrap(reply(write.xid(), new DeviceWriteResp(0, 6))), now);
        RpcCall read = calls(0).get(0);
        assertThat(DeviceReadParms.decode(read.arguments()).ioTimeout()).isEqualTo(100);
        long second = m.send(Request.query("*IDN?"), now);
        assertThat(calls(0)).as("one call on the link at a time").isEmpty();
        now += 100_000_000L;
        assertThat(m.pollTimeoutNanos()).isEqualTo(now);
        m.handleTimeout(now);
        List<Event> ev = events();
        assertThat(ev).hasSize(2);
        assertThat(ev.get(0)).isEqualTo(new Event.OpenChannel(2, 1024));
        assertThat(ev.get(1)).isInstanceOf(Event.Timeout.class);
        assertThat(((Event.Timeout) ev.get(1)).id()).isEqualTo(first);
        m.channelUp(2, now);
        RpcCall abort = calls(2).get(0);
        assertThat(abort.program()).isEqualTo(Vxi11.ABORT_PROGRAM);
        assertThat(abort.procedure()).isEqualTo(Vxi11.DEVICE_ABORT);
        assertThat(Vxi11Calls.decodeLink(abort.arguments())).isEqualTo(7);
        assertThat(calls(0)).as("the next request waits for the aborted call's reply").isEmpty();
        m.receive(2, ByteBuffer.wrap(reply(abort.xid(), new DeviceError(0))), now);
        // the late reply to MEAS? (aborted: error 23 with what was read) is dropped by its xid
        m.receive(ByteBuffer.wrap(reply(read.xid(), new DeviceReadResp(23, 0, "12.5\n".getBytes(StandardCharsets.US_ASCII)))), now);
        assertThat(events()).isEmpty();
        RpcCall clear = calls(0).get(0);   // MEAS?'s answer may still wait in the device: cleared out first
        assertThat(clear.procedure()).isEqualTo(Vxi11.DEVICE_CLEAR);
        m.receive(ByteBuffer.wrap(reply(clear.xid(), new DeviceError(0))), now);
        assertThat(events()).isEmpty();
        RpcCall write2 = calls(0).get(0);
        assertThat(new String(DeviceWriteParms.decode(write2.arguments()).data(), StandardCharsets.US_ASCII))
                .isEqualTo("*IDN?\n");
        m.receive(ByteBuffer.wrap(reply(write2.xid(), new DeviceWriteResp(0, 6))), now);
        RpcCall read2 = calls(0).get(0);
        m.receive(ByteBuffer.wrap(withXid(Vxi11Fixtures.DEVICE_READ_REPLY, read2.xid())), now);
        Event r = events().get(0);
        assertThat(((Event.Reply) r).id()).isEqualTo(second);
        assertThat(((Event.Reply) r).text()).isEqualTo("ACME,X");
    }

    @Test
    void silentDeviceAfterAbortLosesTheLink() {
        ready(ConnectionConfig.DEFAULT, 1024);
        m.send(Request.write("*RST").withTimeout(Duration.ofMillis(50)), now);
        calls(0);
        now += 50_000_000L;
        m.handleTimeout(now);
        events();
        now += 2_000_000_000L;
        m.handleTimeout(now);
        List<Event> ev = events();
        assertThat(ev.get(0)).isInstanceOf(Event.CloseLink.class);
        assertThat(m.state()).isEqualTo(State.DOWN);
    }

    @Test
    void aRequestHeldBehindAnAbortedCallSaysSoWhenItTimesOut() {
        ready(ConnectionConfig.DEFAULT, 1024);
        m.send(Request.write("*RST").withTimeout(Duration.ofMillis(50)), now);
        calls(0);
        long held = m.send(Request.query("*IDN?").withTimeout(Duration.ofMillis(300)), now);
        now += 50_000_000L;
        m.handleTimeout(now);   // *RST timed out: device_abort, its reply owed for 2 s; *IDN? may not go out
        events();
        assertThat(calls(0)).isEmpty();
        now += 250_000_000L;
        m.handleTimeout(now);
        Event.Timeout t = (Event.Timeout) events().get(0);
        assertThat(t.id()).isEqualTo(held);
        assertThat(t.written()).isFalse();
        // it said only "the VXI-11 link was READY", which left the caller guessing why a ready link sent nothing
        assertThat(t.detail()).contains("READY").contains("still on the wire for a request that timed out")
                .contains("2000 ms");
    }

    @Test
    void replyToNoCallIsAProtocolErrorAndDeviceErrorsFailTheRequest() {
        ready(ConnectionConfig.DEFAULT, 1024);
        m.receive(ByteBuffer.wrap(reply(999, new DeviceError(0))), now);
        Event e = events().get(0);
        assertThat(((Event.ProtocolError) e).error()).hasMessageContaining("xid 0x3e7 answers no call");
        m.send(Request.query("*IDN?"), now);
        RpcCall write = calls(0).get(0);
        m.receive(ByteBuffer.wrap(reply(write.xid(), new DeviceWriteResp(4, 0))), now);
        assertThat(((Event.Failed) events().get(0)).cause())
                .hasMessage("device_write: VXI-11 error 4 (invalid link identifier)");
    }

    @Test
    void aRequestWaitingForTheConnectSaysWhichStepHasNotAnswered() {
        m = new Vxi11Session(ENDPOINT, ConnectionConfig.DEFAULT);
        m.open(now);
        m.channelUp(1, now);
        RpcCall get = calls(1).get(0);
        long first = m.send(Request.query("*IDN?").withTimeout(Duration.ofMillis(100)), now);
        now += 100_000_000L;
        m.handleTimeout(now);
        Event.Timeout t = (Event.Timeout) events().stream().filter(e -> e instanceof Event.Timeout x && x.id() == first)
                .findFirst().orElseThrow();
        // it said only "the VXI-11 link was CONNECTING": a silent portmapper and a silent device looked alike
        assertThat(t.detail()).contains("CONNECTING").contains("portmapper at 192.0.2.7:111").contains("GETPORT");
        m.receive(1, ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(get.xid(), Portmap.encodePort(755)).encode())),
                now);
        events();
        m.linkUp(now);
        calls(0);
        long second = m.send(Request.query("*IDN?").withTimeout(Duration.ofMillis(100)), now);
        now += 100_000_000L;
        m.handleTimeout(now);
        t = (Event.Timeout) events().stream().filter(e -> e instanceof Event.Timeout x && x.id() == second)
                .findFirst().orElseThrow();
        assertThat(t.detail()).contains("create_link for inst0");
    }

    @Test
    void portmapperWithoutTheCoreProgramIsALinkFailure() {
        m = new Vxi11Session(ENDPOINT, ConnectionConfig.builder().autoReconnect(false).build());
        m.open(now);
        m.channelUp(1, now);
        RpcCall get = calls(1).get(0);
        m.receive(1, ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(get.xid(), Portmap.encodePort(0)).encode())),
                now);
        List<Event> ev = events();
        Event.StateChanged down = (Event.StateChanged) ev.get(ev.size() - 1);
        assertThat(down.state()).isEqualTo(State.DOWN);
        assertThat(down.cause()).hasMessageContaining("has no VXI-11 core channel");
    }

    @Test
    void closeDestroysTheLinkThenClosesIt() {
        ready(ConnectionConfig.DEFAULT, 1024);
        long id = m.send(Request.query("*IDN?"), now);
        calls(0);
        m.close(now);
        RpcCall destroy = calls(0).get(0);
        assertThat(destroy.procedure()).isEqualTo(Vxi11.DESTROY_LINK);
        assertThat(Vxi11Calls.decodeLink(destroy.arguments())).isEqualTo(7);
        List<Event> ev = events();
        assertThat(((Event.Failed) ev.get(0)).id()).isEqualTo(id);
        assertThat(ev).contains(new Event.CloseLink("closed"), new Event.StateChanged(State.CLOSED, null));
    }

    @Test
    void refusedCreateLinkNamesTheDeviceAndTheError() {
        m = new Vxi11Session(new Endpoint.Vxi11("192.0.2.7", 111, "inst9"), ConnectionConfig.DEFAULT);
        m.open(now);
        m.channelUp(1, now);
        RpcCall get = calls(1).get(0);
        m.receive(1, ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(get.xid(), Portmap.encodePort(755)).encode())),
                now);
        m.linkUp(now);
        RpcCall create = calls(0).get(0);
        m.receive(ByteBuffer.wrap(reply(create.xid(), new CreateLinkResp(3, 0, 0, 0))), now);
        List<Event> ev = events();
        assertThat(ev).contains(new Event.CloseLink("create_link refused"));
        Event.StateChanged down = (Event.StateChanged) ev.get(ev.size() - 1);
        assertThat(down.state()).isEqualTo(State.DOWN);
        assertThat(down.cause()).hasMessage("the device refused create_link for \"inst9\": create_link: VXI-11 error 3"
                + " (device not accessible)");
        assertThat(m.pollTimeoutNanos()).as("a retry is scheduled").isGreaterThan(now);
    }

    /** Found against faulty_vxi11_peer.py: before, an unanswered create_link held the session in CONNECTING for ever. */
    @Test
    void createLinkUnansweredForConnectTimeoutFailsTheAttemptAndTriesAgain() {
        ConnectionConfig cfg = ConnectionConfig.builder().connectTimeout(Duration.ofMillis(500)).build();
        m = new Vxi11Session(ENDPOINT, cfg);
        m.open(now);
        m.channelUp(1, now);
        m.receive(1, ByteBuffer.wrap(withXid(Vxi11Fixtures.GETPORT_REPLY, 1)), now);
        m.linkUp(now);
        assertThat(calls(0)).extracting(RpcCall::procedure).containsExactly(Vxi11.CREATE_LINK);
        events();
        assertThat(m.pollTimeout()).hasValue(now + 500_000_000L);
        m.handleTimeout(now + 499_000_000L);   // early: nothing
        assertThat(events()).isEmpty();
        now += 500_000_000L;
        m.handleTimeout(now);
        List<Event> e = events();
        assertThat(e).first().isInstanceOf(Event.CloseLink.class);
        assertThat(((Event.CloseLink) e.get(0)).reason()).contains("no answer within 500 ms (connectTimeout) to create_link for inst0");
        assertThat(m.state()).isEqualTo(State.DOWN);
        assertThat(m.pollTimeout()).isPresent();   // the backoff's retry
        m.handleTimeout(m.pollTimeout().getAsLong());
        assertThat(events()).contains(new Event.OpenChannel(1, 111));
    }

    /** The same for a portmapper that accepts and never answers GETPORT. */
    @Test
    void getportUnansweredForConnectTimeoutFailsTheAttempt() {
        m = new Vxi11Session(ENDPOINT, ConnectionConfig.builder().connectTimeout(Duration.ofMillis(300)).build());
        m.open(now);
        m.channelUp(1, now);
        events();
        m.handleTimeout(now + 300_000_000L);
        List<Event> e = events();
        assertThat(e).first().isEqualTo(new Event.CloseChannel(1,
                "VXI-11 connect: no answer within 300 ms (connectTimeout) to GETPORT to the portmapper at 192.0.2.7:111"));
        assertThat(m.state()).isEqualTo(State.DOWN);
    }

    /** Found against faulty_vxi11_peer.py: before, after error 4 every later call failed with error 4 too. */
    @Test
    void errorFourInvalidLinkFailsTheCallAndMakesTheLinkAgain() {
        ready(ConnectionConfig.DEFAULT, 1 << 20);
        long id = m.send(Request.query("*IDN?"), now);
        RpcCall write = calls(0).get(0);
        m.receive(ByteBuffer.wrap(reply(write.xid(), new DeviceWriteResp(4, 0))), now);
        List<Event> e = events();
        assertThat(e.get(0)).isInstanceOf(Event.Failed.class);
        assertThat(((Event.Failed) e.get(0)).id()).isEqualTo(id);
        assertThat(((Event.Failed) e.get(0)).cause()).hasMessageContaining("error 4 (invalid link identifier)");
        assertThat(e.get(1)).isInstanceOf(Event.CloseLink.class);
        assertThat(((Event.CloseLink) e.get(1)).reason()).contains("no longer knows link 7");
        assertThat(m.state()).isEqualTo(State.DOWN);
        long next = m.send(Request.query("*IDN?"), now);   // kept (queuedOnLinkDown KEEP) for the new link
        m.handleTimeout(m.pollTimeout().getAsLong());
        assertThat(events()).contains(new Event.OpenChannel(1, 111));
        assertThat(next).isGreaterThan(id);
    }
}
