package dev.labwire.core.vxi11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceReadParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import dev.labwire.core.vxi11.internal.Vxi11Session;
import dev.labwire.core.vxi11.internal.XdrStruct;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A device that answers device_read at once with error 0, reason 0 and no data (neither END, CHR nor REQCNT, which
 * VXI-11 B.6.12 requires of a read that ends without error). The machine read again at once: 16 000 to 19 000 RPCs in
 * 2 s. Now the next device_read waits 1 ms, doubling to 64 ms, with a fake clock here: the calls are counted, the
 * deadline still ends the query with a timeout that names the device's behaviour, and data that comes later is the
 * reply.
 */
class Vxi11EmptyReadTest {

    private static final Endpoint.Vxi11 ENDPOINT = new Endpoint.Vxi11("192.0.2.7", 111, "inst0");
    private static final byte[] EMPTY = new byte[0];
    private long now = 1_000_000_000L;
    private Vxi11Session m;
    private long sent;

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

    private List<RpcCall> calls() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(4096);
        for (int n; (n = m.pollTransmit(dst.clear())) > 0; ) {
            wire.write(dst.array(), 0, n);
        }
        RecordMarking rm = new RecordMarking(1 << 20);
        ByteBuffer in = ByteBuffer.wrap(wire.toByteArray());
        List<RpcCall> out = new ArrayList<>();
        for (byte[] rec; (rec = rm.receive(in)) != null; ) {
            out.add(RpcCall.decode(rec));
        }
        return out;
    }

    private RpcCall onlyCall() {
        List<RpcCall> c = calls();
        assertThat(c).hasSize(1);
        return c.get(0);
    }

    private void answer(RpcCall call, XdrStruct result) {
        m.receive(ByteBuffer.wrap(reply(call.xid(), result)), now);
    }

    /** Opens and answers GETPORT and create_link (lid 7, no abort channel needed here). */
    private void ready() {
        m = new Vxi11Session(ENDPOINT, ConnectionConfig.DEFAULT);
        m.open(now);
        m.channelUp(1, now);
        ByteBuffer dst = ByteBuffer.allocate(4096);
        m.pollTransmit(1, dst);
        int xid = dst.flip().getInt(4);
        XdrStruct port = w -> w.putInt(755);
        byte[] getport = RecordMarking.frame(RpcReply.success(xid, port.encode()).encode());
        m.receive(1, ByteBuffer.wrap(getport), now);
        m.linkUp(now);
        answer(onlyCall(), new CreateLinkResp(0, 7, 1024, 1 << 20));
        events();
    }

    /** Sends {@code command} as a query and answers its device_write: returns the first device_read. */
    private RpcCall queryUpToItsFirstRead(String command, Duration timeout) {
        sent = m.send(Request.query(command).withTimeout(timeout), now);
        answer(onlyCall(), new DeviceWriteResp(0, command.length() + 1));
        RpcCall read = onlyCall();
        assertThat(read.procedure()).isEqualTo(Vxi11.DEVICE_READ);
        return read;
    }

    @Test
    void emptyReadsArePacedAndTheDeadlineEndsTheQueryNamingThem() {
        ready();
        long start = now;
        RpcCall read = queryUpToItsFirstRead("MEAS?", Duration.ofSeconds(2));
        int reads = 1;
        List<Long> gaps = new ArrayList<>();
        long last = now;
        Event.Timeout timeout = null;
        while (timeout == null) {
            answer(read, new DeviceReadResp(0, 0, EMPTY));
            assertThat(calls()).as("no device_read at once after an empty one").isEmpty();
            long at = m.pollTimeoutNanos();
            m.handleTimeout(at - 1);   // an early timer does nothing
            assertThat(calls()).isEmpty();
            now = at;
            m.handleTimeout(now);
            for (Event e : events()) {
                timeout = (Event.Timeout) e;
            }
            if (timeout == null) {
                read = onlyCall();
                assertThat(read.procedure()).isEqualTo(Vxi11.DEVICE_READ);
                assertThat(DeviceReadParms.decode(read.arguments()).ioTimeout())
                        .as("io_timeout is still the time left").isEqualTo((start + 2_000_000_000L - now) / 1_000_000L);
                reads++;
                gaps.add(now - last);
                last = now;
            }
        }
        assertThat(now).as("ends at its deadline").isEqualTo(start + 2_000_000_000L);
        assertThat(gaps.get(0)).isEqualTo(1_000_000L);
        assertThat(gaps.get(1)).isEqualTo(2_000_000L);
        assertThat(gaps).as("the wait grows to 64 ms and stays there").allMatch(g -> g <= 64_000_000L)
                .contains(64_000_000L);
        // 1 + 7 doubling waits (127 ms) + (2000 - 127) / 64: 37 device_reads in 2 s, not 16 000
        assertThat(reads).isBetween(30, 40);
        assertThat(timeout.written()).isTrue();
        assertThat(timeout.detail()).contains("answered " + reads + " device_read calls at once with no data, no error"
                + " and no reason (not END, CHR or REQCNT)");
        assertThat(calls()).as("no call was on the wire: nothing to abort").isEmpty();
        m.send(Request.query("*IDN?"), now);
        assertThat(onlyCall().procedure()).as("the owed answer is cleared out before the next request")
                .isEqualTo(Vxi11.DEVICE_CLEAR);
    }

    @Test
    void dataAfterEmptyReadsIsTheReplyAndAPartResetsTheWait() {
        ready();
        RpcCall read = queryUpToItsFirstRead("MEAS?", Duration.ofSeconds(5));
        for (int i = 0; i < 5; i++) {
            answer(read, new DeviceReadResp(0, 0, EMPTY));
            now = m.pollTimeoutNanos();
            m.handleTimeout(now);
            read = onlyCall();
        }
        answer(read, new DeviceReadResp(0, 0, "12.".getBytes(StandardCharsets.US_ASCII)));   // a part, no reason
        read = onlyCall();   // progress: read on at once
        answer(read, new DeviceReadResp(0, 0, EMPTY));
        long waitedFrom = now;
        now = m.pollTimeoutNanos();
        assertThat(now - waitedFrom).as("data came: the wait starts again at 1 ms").isEqualTo(1_000_000L);
        m.handleTimeout(now);
        answer(onlyCall(), new DeviceReadResp(0, Vxi11.REASON_END, "5\n".getBytes(StandardCharsets.US_ASCII)));
        List<Event> ev = events();
        assertThat(ev).hasSize(1);
        assertThat(((Event.Reply) ev.get(0)).text()).isEqualTo("12.5");
        m.send(Request.query("*IDN?"), now);
        assertThat(onlyCall().procedure()).as("answered: nothing to clear").isEqualTo(Vxi11.DEVICE_WRITE);
    }

    @Test
    void cancelWhileWaitingEndsTheRequestAndTheNextOneStartsWithAClear() {
        ready();
        RpcCall read = queryUpToItsFirstRead("MEAS?", Duration.ofSeconds(5));
        answer(read, new DeviceReadResp(0, 0, EMPTY));
        m.cancel(sent, now);
        assertThat(events()).singleElement().isInstanceOf(Event.Failed.class);
        assertThat(m.pollTimeoutNanos()).as("no read timer left").isEqualTo(Long.MAX_VALUE);
        m.send(Request.query("*IDN?"), now);
        RpcCall clear = onlyCall();
        assertThat(clear.procedure()).isEqualTo(Vxi11.DEVICE_CLEAR);
        answer(clear, new DeviceError(0));
        assertThat(onlyCall().procedure()).isEqualTo(Vxi11.DEVICE_WRITE);
    }
}
