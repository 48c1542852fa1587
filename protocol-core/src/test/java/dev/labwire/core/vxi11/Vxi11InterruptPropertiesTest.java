package dev.labwire.core.vxi11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.State;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceEnableSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Session;
import dev.labwire.core.vxi11.internal.XdrStruct;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The interrupt channel at random: n device_intr_srq calls (some with a foreign handle), split anywhere, optionally
 * followed by noise. Calls with this link's handle become device_readstb reads and service requests (those arriving
 * while a read is out share the next one), every complete call is answered with its own xid, and nothing from the
 * channel ever fails the link.
 */
class Vxi11InterruptPropertiesTest {

    private static final int INTR = Vxi11Session.INTR_CHANNEL;

    private static byte[] drain(Vxi11Session m, int channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(512);
        for (int n; (n = channel == 0 ? m.pollTransmit(dst.clear()) : m.pollTransmit(channel, dst.clear())) > 0; ) {
            out.write(dst.array(), 0, n);
        }
        return out.toByteArray();
    }

    private static List<byte[]> records(byte[] wire) {
        RecordMarking rm = new RecordMarking(1 << 16);
        ByteBuffer in = ByteBuffer.wrap(wire);
        List<byte[]> out = new ArrayList<>();
        for (byte[] r; (r = rm.receive(in)) != null; ) {
            out.add(r);
        }
        return out;
    }

    private static void answer(Vxi11Session m, XdrStruct result, long now) {
        List<byte[]> calls = records(drain(m, 0));
        assertThat(calls).hasSize(1);
        RpcCall c = RpcCall.decode(calls.get(0));
        m.receive(ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(c.xid(), result.encode()).encode())), now);
    }

    private static List<Event> events(Vxi11Session m) {
        List<Event> out = new ArrayList<>();
        for (Event e = m.nextEvent(); e != Event.NeedData.INSTANCE; e = m.nextEvent()) {
            out.add(e);
        }
        return out;
    }

    @Property(tries = 200)
    void everyServiceRequestIsAnsweredReadAndReportedOnce(@ForAll @IntRange(min = 1, max = 6) int n,
            @ForAll long seed, @ForAll @Size(max = 40) byte[] noise) {
        long now = 1_000_000_000L;
        Vxi11Session m = new Vxi11Session(new Endpoint.Vxi11("192.0.2.7", 111, "inst0"),
                ConnectionConfig.builder().serviceRequestChannel(true).build());
        m.open(now);
        m.channelUp(1, now);
        RpcCall getport = RpcCall.decode(records(drain(m, 1)).get(0));
        m.receive(1, ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(getport.xid(),
                new byte[] {0, 0, 2, (byte) 0xF3}).encode())), now);
        m.linkUp(now);
        answer(m, new CreateLinkResp(0, 7, 1024, 4096), now);
        m.channelListening(INTR, new byte[] {127, 0, 0, 1}, 40000, now);
        m.channelUp(INTR, now);
        List<byte[]> create = records(drain(m, 0));
        m.receive(ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(RpcCall.decode(create.get(0)).xid(),
                new DeviceError(0).encode()).encode())), now);
        RpcCall enable = RpcCall.decode(records(drain(m, 0)).get(0));
        byte[] handle = DeviceEnableSrqParms.decode(enable.arguments()).handle();
        m.receive(ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(enable.xid(),
                new DeviceError(0).encode()).encode())), now);
        events(m);
        assertThat(m.state()).isEqualTo(State.READY);

        Random random = new Random(seed);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int ours = 0;
        for (int i = 0; i < n; i++) {
            boolean mine = random.nextInt(4) != 0;
            ours += mine ? 1 : 0;
            byte[] h = mine ? handle : new byte[] {9, 9};
            wire.writeBytes(RecordMarking.frame(RpcCall.of(100 + i, Vxi11.INTR_PROGRAM, 1, Vxi11.DEVICE_INTR_SRQ,
                    new DeviceSrqParms(h).encode()).encode()));
        }
        byte[] calls = wire.toByteArray();
        wire.writeBytes(noise);
        List<Integer> stbs = new ArrayList<>();
        List<Integer> xids = new ArrayList<>();
        for (byte[] chunk : Chunking.randomSplit(wire.toByteArray(), random)) {
            m.receive(INTR, ByteBuffer.wrap(chunk), now);
            for (byte[] r : records(drain(m, INTR))) {
                xids.add(RpcReply.decode(r).xid());
            }
            for (Event e : events(m)) {
                assertThat(e).isInstanceOfAny(Event.ProtocolError.class, Event.CloseChannel.class);
            }
        }
        // the link serves the status byte reads one at a time
        for (int i = 0; i < n + 1 && m.state() == State.READY; i++) {
            List<byte[]> link = records(drain(m, 0));
            if (link.isEmpty()) {
                break;
            }
            RpcCall stb = RpcCall.decode(link.get(0));
            assertThat(stb.procedure()).isEqualTo(Vxi11.DEVICE_READSTB);
            m.receive(ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(stb.xid(),
                    new DeviceReadStbResp(0, 0x40 + i).encode()).encode())), now);
            for (Event e : events(m)) {
                if (e instanceof Event.ServiceRequest s) {
                    stbs.add(s.statusByte());
                }
            }
        }
        assertThat(m.state()).isEqualTo(State.READY);
        // the first call with this link's handle is read at once; the ones arriving while that read is out share
        // one more read (at most one waits, so a peer calling in a loop cannot flood the link)
        assertThat(stbs).as("service requests read for %d calls with this link's handle", ours)
                .hasSize(Math.min(ours, 2));
        if (noise.length == 0) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(100 + i);
            }
            assertThat(xids).as("each call answered with its xid, in order").isEqualTo(expected);
        } else {
            assertThat(xids.size()).isLessThanOrEqualTo(n);
        }
        assertThat(calls.length).isPositive();
    }
}
