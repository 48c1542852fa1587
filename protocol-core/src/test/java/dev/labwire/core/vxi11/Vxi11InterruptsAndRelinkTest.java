package dev.labwire.core.vxi11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.internal.WireTrace;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceEnableSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceLockParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceRemoteFunc;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceWriteParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import dev.labwire.core.vxi11.internal.Vxi11Session;
import dev.labwire.core.vxi11.internal.XdrStruct;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Vxi11Session's interrupt channel (create_intr_chan, device_enable_srq, device_intr_srq answered and turned into a
 * device_readstb and an {@link Event.ServiceRequest}), what happens when the instrument cannot call back, the lock
 * re-taken on a new link, the link-loss policies and the wire-trace ids; fake clock, the device played by the test.
 */
class Vxi11InterruptsAndRelinkTest {

    private static final Endpoint.Vxi11 ENDPOINT = new Endpoint.Vxi11("192.0.2.7", 111, "inst0");
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private long now = 1_000_000_000L;
    private Vxi11Session m;
    private int linkGeneration;

    private static byte[] reply(int xid, XdrStruct result) {
        return RecordMarking.frame(RpcReply.success(xid, result.encode()).encode());
    }

    /**
     * device_intr_srq as VXI-11 appendix C and RFC 5531 lay it out, written out by hand: record mark, xid, CALL,
     * rpcvers 2, program 0x0607B1, version 1, procedure 30, AUTH_NONE credential and verifier, {@code opaque handle<>}.
     */
    private static byte[] intrSrqCall(int xid, byte[] handle) {
        String h = HexFormat.of().formatHex(handle);
        String body = String.format("%08x", xid) + "00000000" + "00000002" + "000607b1" + "00000001" + "0000001e"
                + "00000000" + "00000000" + "00000000" + "00000000" + String.format("%08x", handle.length) + h
                + "00".repeat((4 - handle.length % 4) % 4);
        return HexFormat.of().parseHex(String.format("%08x", 0x8000_0000 | body.length() / 2) + body);
    }

    private static byte[] handle(int generation) {
        return new byte[] {'L', 'W', 'S', 'Q', 0, 0, 0, (byte) generation};
    }

    private List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (Event e = m.nextEvent(); e != Event.NeedData.INSTANCE; e = m.nextEvent()) {
            out.add(e);
        }
        return out;
    }

    private byte[] drain(int channel) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(7);
        while (true) {
            dst.clear();
            int n = channel == 0 ? m.pollTransmit(dst) : m.pollTransmit(channel, dst);
            if (n == 0) {
                return wire.toByteArray();
            }
            wire.write(dst.array(), 0, n);
        }
    }

    private static List<byte[]> records(byte[] wire) {
        RecordMarking rm = new RecordMarking(1 << 20);
        ByteBuffer in = ByteBuffer.wrap(wire);
        List<byte[]> out = new ArrayList<>();
        for (byte[] rec; (rec = rm.receive(in)) != null; ) {
            out.add(rec);
        }
        assertThat(rm.isMidRecord()).isFalse();
        return out;
    }

    private List<RpcCall> calls(int channel) {
        List<RpcCall> out = new ArrayList<>();
        for (byte[] r : records(drain(channel))) {
            out.add(RpcCall.decode(r));
        }
        return out;
    }

    private RpcCall oneCall(int procedure) {
        List<RpcCall> c = calls(0);
        assertThat(c).hasSize(1);
        assertThat(Vxi11.procedureName(Vxi11.CORE_PROGRAM, c.get(0).procedure()))
                .isEqualTo(Vxi11.procedureName(Vxi11.CORE_PROGRAM, procedure));
        return c.get(0);
    }

    private void answer(RpcCall c, XdrStruct result) {
        m.receive(ByteBuffer.wrap(reply(c.xid(), result)), now);
    }

    /** Portmapper and create_link (lid 7); returns the events after create_link's reply. */
    private List<Event> link() {
        m.channelUp(1, now);
        RpcCall getport = calls(1).get(0);
        m.receive(1, ByteBuffer.wrap(reply(getport.xid(), w -> w.putUnsignedInt(755))), now);
        events();
        m.linkUp(now);
        RpcCall create = oneCall(Vxi11.CREATE_LINK);
        answer(create, new CreateLinkResp(0, 7, 1024, 1 << 16));
        linkGeneration++;
        return events();
    }

    private List<Event> open(ConnectionConfig config) {
        m = new Vxi11Session(ENDPOINT, config);
        m.open(now);
        events();
        return link();
    }

    /** The link drops; the machine backs off and reconnects; returns the events after create_link's reply. */
    private List<Event> dropAndRelink() {
        m.linkDown(new LinkDownException("cable pulled", null), now);
        List<Event> all = new ArrayList<>(events());
        assertThat(m.state()).isEqualTo(State.DOWN);
        now = m.pollTimeoutNanos();
        m.handleTimeout(now);
        assertThat(events()).contains(new Event.OpenChannel(1, 111));
        all.addAll(link());
        return all;
    }

    /** Listening at 127.0.0.1:40001, create_intr_chan and device_enable_srq both succeed. */
    private void interruptChannelUp() {
        m.channelListening(Vxi11Session.INTR_CHANNEL, LOOPBACK, 40001, now);
        RpcCall create = oneCall(Vxi11.CREATE_INTR_CHAN);
        assertThat(DeviceRemoteFunc.decode(create.arguments()))
                .isEqualTo(new DeviceRemoteFunc(0x7F00_0001L, 40001, 0x0607B1, 1, Vxi11.FAMILY_TCP));
        m.channelUp(Vxi11Session.INTR_CHANNEL, now);   // the instrument connects back during the call
        answer(create, new DeviceError(0));
        RpcCall enable = oneCall(Vxi11.DEVICE_ENABLE_SRQ);
        assertThat(DeviceEnableSrqParms.decode(enable.arguments()))
                .isEqualTo(new DeviceEnableSrqParms(7, true, handle(linkGeneration)));
        answer(enable, new DeviceError(0));
    }

    private static ConnectionConfig.Builder srq() {
        return ConnectionConfig.builder().serviceRequestChannel(true);
    }

    @Test
    void serviceRequestOnTheInterruptChannelIsAnsweredReadAndReported_everyChunking() {
        byte[] call = intrSrqCall(0x1234, handle(1));
        Chunking.assertEveryChunkingAndGarbage(call, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, chunks -> {
            linkGeneration = 0;
            List<Event> first = open(srq().build());
            assertThat(first).containsExactly(new Event.StateChanged(State.ON_CONNECT, null),
                    new Event.ListenChannel(Vxi11Session.INTR_CHANNEL));
            assertThat(calls(0)).as("nothing before the interrupt channel's address is known").isEmpty();
            interruptChannelUp();
            assertThat(events()).containsExactly(new Event.StateChanged(State.READY, null));
            List<String> seen = new ArrayList<>();
            int fed = 0;
            for (byte[] c : chunks) {
                m.receive(Vxi11Session.INTR_CHANNEL, ByteBuffer.wrap(c), now);
                fed += c.length;
                events();   // trailing garbage: a protocol error that closes the channel (its own test below)
            }
            if (fed == call.length) {
                List<byte[]> replies = records(drain(Vxi11Session.INTR_CHANNEL));
                assertThat(replies).as("device_intr_srq answered: a void SUCCESS reply with its xid").hasSize(1);
                RpcReply r = RpcReply.decode(replies.get(0));
                assertThat(r.xid()).isEqualTo(0x1234);
                assertThat(r.status()).isEqualTo(RpcReply.Status.SUCCESS);
                assertThat(r.results()).isEmpty();
            }
            List<RpcCall> link = calls(0);
            assertThat(link).hasSize(1);
            assertThat(link.get(0).procedure()).isEqualTo(Vxi11.DEVICE_READSTB);
            answer(link.get(0), new DeviceReadStbResp(0, 0x60));
            for (Event e : events()) {
                seen.add(e.toString());
            }
            return seen;
        }, List.of(new Event.ServiceRequest(0x60).toString()));
    }

    @Test
    void garbageOnTheInterruptChannelClosesItButNotTheLink() {
        open(srq().build());
        interruptChannelUp();
        events();
        m.receive(Vxi11Session.INTR_CHANNEL, ByteBuffer.wrap(new byte[] {(byte) 0x80, 0, 0, 4, 'j', 'u', 'n', 'k'}), now);
        List<Event> ev = events();
        assertThat(((Event.ProtocolError) ev.get(0)).error()).hasMessageContaining("bad RPC on the VXI-11 interrupt channel");
        assertThat(ev.get(1)).isEqualTo(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "bad RPC"));
        assertThat(m.state()).isEqualTo(State.READY);
        long id = m.send(Request.write("X"), now);
        answer(oneCall(Vxi11.DEVICE_WRITE), new DeviceWriteResp(0, 2));
        assertThat(((Event.Reply) events().get(0)).id()).isEqualTo(id);
    }

    @Test
    void serviceRequestDuringACallWaitsForItAndAForeignHandleIsIgnored() {
        open(srq().build());
        interruptChannelUp();
        events();
        long id = m.send(Request.query("MEAS?"), now);
        RpcCall write = oneCall(Vxi11.DEVICE_WRITE);
        m.receive(Vxi11Session.INTR_CHANNEL, ByteBuffer.wrap(intrSrqCall(9, handle(1))), now);
        m.receive(Vxi11Session.INTR_CHANNEL, ByteBuffer.wrap(intrSrqCall(10, handle(99))), now);
        List<Event> ev = events();
        assertThat(ev).hasSize(1);
        assertThat(((Event.ProtocolError) ev.get(0)).error()).hasMessageContaining("not the one device_enable_srq gave");
        assertThat(records(drain(Vxi11Session.INTR_CHANNEL))).hasSize(2);
        assertThat(calls(0)).as("one call on the link at a time").isEmpty();
        answer(write, new DeviceWriteResp(0, 6));
        RpcCall read = oneCall(Vxi11.DEVICE_READ);
        answer(read, new DeviceReadResp(0, Vxi11.REASON_END, "1.5\n".getBytes(StandardCharsets.US_ASCII)));
        Event reply = events().get(0);
        assertThat(((Event.Reply) reply).id()).isEqualTo(id);
        RpcCall stb = oneCall(Vxi11.DEVICE_READSTB);
        answer(stb, new DeviceReadStbResp(0, 0x41));
        assertThat(events()).containsExactly(new Event.ServiceRequest(0x41));
    }

    @Test
    void otherProceduresOnTheInterruptChannelGetRpcErrorsNotServiceRequests() {
        open(srq().build());
        interruptChannelUp();
        events();
        RpcCall wrongProc = RpcCall.of(21, Vxi11.INTR_PROGRAM, 1, 31, new byte[0]);
        RpcCall wrongProg = RpcCall.of(22, Vxi11.CORE_PROGRAM, 1, 30, new byte[0]);
        RpcCall nullProc = RpcCall.of(23, Vxi11.INTR_PROGRAM, 1, 0, new byte[0]);
        for (RpcCall c : List.of(wrongProc, wrongProg, nullProc)) {
            m.receive(Vxi11Session.INTR_CHANNEL, ByteBuffer.wrap(RecordMarking.frame(c.encode())), now);
        }
        List<RpcReply> replies = new ArrayList<>();
        for (byte[] r : records(drain(Vxi11Session.INTR_CHANNEL))) {
            replies.add(RpcReply.decode(r));
        }
        assertThat(replies).extracting(RpcReply::status).containsExactly(RpcReply.Status.PROC_UNAVAIL,
                RpcReply.Status.PROG_UNAVAIL, RpcReply.Status.SUCCESS);
        assertThat(calls(0)).isEmpty();
        assertThat(events()).isEmpty();
    }

    @Test
    void refusedInterruptChannelIsSaidOnceAndTheLinkWorksWithoutIt() {
        open(srq().build());
        m.channelListening(Vxi11Session.INTR_CHANNEL, LOOPBACK, 40001, now);
        RpcCall create = oneCall(Vxi11.CREATE_INTR_CHAN);
        answer(create, new DeviceError(21));   // invalid address: the instrument cannot reach us (NAT, firewall)
        List<Event> ev = events();
        assertThat(ev).hasSize(3);
        assertThat(ev.get(0)).isEqualTo(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "service requests are off"));
        assertThat(((Event.ProtocolError) ev.get(1)).error()).hasMessageContaining("create_intr_chan")
                .hasMessageContaining("error 21").hasMessageContaining("works on without them");
        assertThat(ev.get(2)).isEqualTo(new Event.StateChanged(State.READY, null));
        long id = m.send(Request.write("VOLT 1"), now);
        answer(oneCall(Vxi11.DEVICE_WRITE), new DeviceWriteResp(0, 7));
        assertThat(((Event.Reply) events().get(0)).id()).isEqualTo(id);
        List<Event> again = dropAndRelink();
        assertThat(again).as("no second attempt, no second message")
                .noneMatch(e -> e instanceof Event.ProtocolError || e instanceof Event.ListenChannel)
                .contains(new Event.StateChanged(State.READY, null));
    }

    @Test
    void interruptSetUpThatNeverAnswersDoesNotFailUserRequests() {
        open(srq().connectTimeout(Duration.ofMillis(500)).build());
        m.channelListening(Vxi11Session.INTR_CHANNEL, LOOPBACK, 40001, now);
        RpcCall create = oneCall(Vxi11.CREATE_INTR_CHAN);   // the instrument's connect back hangs in a firewall
        long id = m.send(Request.query("*IDN?").withTimeout(Duration.ofSeconds(10)), now);
        now = m.pollTimeoutNanos();
        m.handleTimeout(now);
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.ProtocolError p
                && p.error().getMessage().contains("create_intr_chan did not succeed"));
        assertThat(ev).noneMatch(e -> e instanceof Event.Failed || e instanceof Event.Timeout);
        assertThat(m.state()).isEqualTo(State.ON_CONNECT);
        // the aborted call's reply is owed: it comes (error 23), the query goes out after it
        m.channelUp(Vxi11Session.ABORT_CHANNEL, now);
        assertThat(calls(Vxi11Session.ABORT_CHANNEL).get(0).procedure()).isEqualTo(Vxi11.DEVICE_ABORT);
        m.receive(ByteBuffer.wrap(reply(create.xid(), new DeviceError(23))), now);
        assertThat(events()).contains(new Event.StateChanged(State.READY, null));
        RpcCall write = oneCall(Vxi11.DEVICE_WRITE);
        answer(write, new DeviceWriteResp(0, 6));
        answer(oneCall(Vxi11.DEVICE_READ), new DeviceReadResp(0, Vxi11.REASON_END, "X\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(((Event.Reply) events().get(0)).id()).isEqualTo(id);
    }

    @Test
    void ipv6LinkCannotCarryHostAddrSoServiceRequestsAreOff() {
        open(srq().build());
        byte[] v6 = new byte[16];
        v6[15] = 1;   // ::1
        m.channelListening(Vxi11Session.INTR_CHANNEL, v6, 40001, now);
        List<Event> ev = events();
        assertThat(((Event.ProtocolError) ev.get(1)).error()).hasMessageContaining("IPv6");
        assertThat(ev).contains(new Event.StateChanged(State.READY, null));
        assertThat(calls(0)).isEmpty();
    }

    @Test
    void ipv4MappedAddressIsSentAsIpv4() {
        open(srq().build());
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 10, 1, 2, 3};
        m.channelListening(Vxi11Session.INTR_CHANNEL, mapped, 5000, now);
        RpcCall create = oneCall(Vxi11.CREATE_INTR_CHAN);
        assertThat(DeviceRemoteFunc.decode(create.arguments()).hostAddr()).isEqualTo(0x0A01_0203L);
    }

    @Test
    void newLinkReopensTheInterruptChannelAndRetakesTheLockBeforeTheHook() {
        ConnectionConfig cfg = srq().onConnect(List.of(Request.write("SYST:REM"))).build();
        open(cfg);
        interruptChannelUp();
        answer(oneCall(Vxi11.DEVICE_WRITE), new DeviceWriteResp(0, 9));   // the hook
        assertThat(events()).containsExactly(new Event.StateChanged(State.READY, null));
        m.send(Request.operation(Operation.LOCK).withTimeout(Duration.ofMillis(1500)), now);
        RpcCall lock = oneCall(Vxi11.DEVICE_LOCK);
        long sent = DeviceLockParms.decode(lock.arguments()).lockTimeout();
        answer(lock, new DeviceError(0));
        events();

        List<Event> ev = dropAndRelink();
        assertThat(ev).contains(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "the link is down"))
                .doesNotContain(new Event.StateChanged(State.READY, null));
        assertThat(ev).contains(new Event.ListenChannel(Vxi11Session.INTR_CHANNEL));
        RpcCall relock = oneCall(Vxi11.DEVICE_LOCK);   // first, before the interrupt set-up and the hook
        assertThat(DeviceLockParms.decode(relock.arguments()))
                .isEqualTo(new DeviceLockParms(7, Vxi11.FLAG_WAITLOCK, sent));
        answer(relock, new DeviceError(0));
        interruptChannelUp();   // with this link's handle
        RpcCall hook = oneCall(Vxi11.DEVICE_WRITE);
        assertThat(new String(DeviceWriteParms.decode(hook.arguments()).data(), StandardCharsets.US_ASCII))
                .isEqualTo("SYST:REM\n");
        answer(hook, new DeviceWriteResp(0, 9));
        assertThat(events()).containsExactly(new Event.StateChanged(State.READY, null));

        // unlocked: the next link takes no lock
        m.send(Request.operation(Operation.UNLOCK), now);
        answer(oneCall(Vxi11.DEVICE_UNLOCK), new DeviceError(0));
        events();
        dropAndRelink();
        m.channelListening(Vxi11Session.INTR_CHANNEL, LOOPBACK, 40002, now);
        assertThat(oneCall(Vxi11.CREATE_INTR_CHAN)).isNotNull();
    }

    @Test
    void lockThatCannotBeRetakenFailsTheLinkLikeAFailingHook() {
        open(ConnectionConfig.DEFAULT);
        m.send(Request.operation(Operation.LOCK).withTimeout(Duration.ofMillis(800)), now);
        answer(oneCall(Vxi11.DEVICE_LOCK), new DeviceError(0));
        events();
        long queued;
        dropAndRelink();
        queued = m.send(Request.query("*IDN?"), now);
        RpcCall relock = oneCall(Vxi11.DEVICE_LOCK);
        answer(relock, new DeviceError(11));   // another client took the device meanwhile
        List<Event> ev = events();
        assertThat(ev.get(0)).isInstanceOf(Event.CloseLink.class);
        Event.StateChanged down = (Event.StateChanged) ev.get(1);
        assertThat(down.state()).isEqualTo(State.DOWN);
        assertThat(down.cause()).hasMessageContaining("could not be re-taken").hasMessageContaining("error 11");
        assertThat(ev).noneMatch(e -> e instanceof Event.Failed f && f.id() == queued);   // KEEP: it waits
    }

    @Test
    void queryOnTheWireIsSentAgainOnTheNextLinkWhenConfigured() {
        open(ConnectionConfig.builder().retryQueriesOnLinkDown(true).build());
        long q = m.send(Request.query("MEAS?"), now);
        long w = m.send(Request.write("OUTP ON"), now);
        oneCall(Vxi11.DEVICE_WRITE);
        List<Event> ev = dropAndRelink();
        assertThat(ev).noneMatch(e -> e instanceof Event.Failed);
        RpcCall again = oneCall(Vxi11.DEVICE_WRITE);
        assertThat(new String(DeviceWriteParms.decode(again.arguments()).data(), StandardCharsets.US_ASCII))
                .isEqualTo("MEAS?\n");
        answer(again, new DeviceWriteResp(0, 6));
        answer(oneCall(Vxi11.DEVICE_READ), new DeviceReadResp(0, Vxi11.REASON_END, "2\n".getBytes(StandardCharsets.US_ASCII)));
        Event.Reply r = (Event.Reply) events().get(0);
        assertThat(r.id()).isEqualTo(q);
        assertThat(r.text()).isEqualTo("2");
        RpcCall next = oneCall(Vxi11.DEVICE_WRITE);
        assertThat(new String(DeviceWriteParms.decode(next.arguments()).data(), StandardCharsets.US_ASCII))
                .isEqualTo("OUTP ON\n");
        answer(next, new DeviceWriteResp(0, 8));
        assertThat(((Event.Reply) events().get(0)).id()).isEqualTo(w);
    }

    @Test
    void byDefaultTheRequestOnTheWireFailsAndQueuedOnesWait() {
        open(ConnectionConfig.DEFAULT);
        long q = m.send(Request.query("MEAS?"), now);
        long w = m.send(Request.write("OUTP ON"), now);
        oneCall(Vxi11.DEVICE_WRITE);
        m.linkDown(new LinkDownException("gone", null), now);
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.Failed f && f.id() == q);
        assertThat(ev).noneMatch(e -> e instanceof Event.Failed f && f.id() == w);
    }

    @Test
    void queuedOnLinkDownFailFailsTheWaitingRequestsAtOnce() {
        open(ConnectionConfig.builder().retryQueriesOnLinkDown(true)
                .queuedOnLinkDown(ConnectionConfig.QueuedOnLinkDown.FAIL).build());
        long q = m.send(Request.query("MEAS?"), now);
        long w = m.send(Request.write("OUTP ON"), now);
        oneCall(Vxi11.DEVICE_WRITE);
        m.linkDown(new LinkDownException("gone", null), now);
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.Failed f && f.id() == q);
        assertThat(ev).anyMatch(e -> e instanceof Event.Failed f && f.id() == w);
        assertThat(m.state()).isEqualTo(State.DOWN);
    }

    @Test
    void wireTraceNamesTheRequestOfEachCallAndItsReply() {
        open(ConnectionConfig.DEFAULT);
        assertThat(m.awaitedId()).isEqualTo(-1);
        long id = m.send(Request.query("*IDN?"), now);
        ByteBuffer out = m.pollTransmit();
        assertThat(m.transmittedFirstId()).isEqualTo(id);
        assertThat(m.transmittedLastId()).isEqualTo(id);
        WireTrace trace = new WireTrace();
        assertThat(trace.sent(m, out, now)).contains("#" + id + " ");
        RpcCall write = RpcCall.decode(records(toArray(out)).get(0));
        assertThat(m.awaitedId()).isEqualTo(id);
        assertThat(m.awaitedRequest()).isEqualTo(Request.query("*IDN?"));
        ByteBuffer in = ByteBuffer.wrap(reply(write.xid(), new DeviceWriteResp(0, 6)));
        assertThat(trace.received(m, in, now)).contains("#" + id + " \"*IDN?\"");
        m.receive(in, now);
        ByteBuffer dst = ByteBuffer.allocate(3);
        assertThat(m.pollTransmit(dst)).isEqualTo(3);
        assertThat(m.transmittedFirstId()).isEqualTo(id);
        drain(0);
        m.close(now);
        events();
        assertThat(m.pollTransmit()).as("destroy_link").isNotNull();
        assertThat(m.transmittedFirstId()).as("the machine's own call names no request").isEqualTo(-1);
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
