package dev.labwire.core.vxi11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Session;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a device sends on the link (random bytes, random records, valid records with random results), at any
 * split, Vxi11Session never throws from receive: every request ends exactly once, as a reply, a timeout or a failure,
 * by its deadline.
 */
class Vxi11SessionPropertiesTest {

    private static Vxi11Session ready(long now) {
        Vxi11Session m = new Vxi11Session(new Endpoint.Vxi11("192.0.2.7", 111, "inst0"), ConnectionConfig.DEFAULT);
        m.open(now);
        m.channelUp(1, now);
        ByteBuffer dst = ByteBuffer.allocate(256);
        m.pollTransmit(1, dst);
        m.receive(1, ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(1, Portmap.encodePort(755)).encode())), now);
        m.linkUp(now);
        RpcCall create = RpcCall.decode(Vxi11Fixtures.unmarked(m.pollTransmit().array()));
        m.receive(ByteBuffer.wrap(RecordMarking.frame(RpcReply.success(create.xid(),
                new CreateLinkResp(0, 7, 1024, 4096).encode()).encode())), now);
        while (m.nextEvent() != Event.NeedData.INSTANCE) {
            // drain
        }
        assertThat(m.state()).isEqualTo(State.READY);
        return m;
    }

    @Property(tries = 300)
    void anythingFromTheDeviceEndsEveryRequestExactlyOnce(@ForAll @Size(max = 300) byte[] noise,
            @ForAll boolean framed, @ForAll long seed) {
        long now = 1_000_000_000L;
        Vxi11Session m = ready(now);
        Set<Long> ids = new HashSet<>(List.of(m.send(Request.query("A?"), now), m.send(Request.write("B 1"), now),
                m.send(Request.query("C?"), now)));
        while (m.pollTransmit() != null) {
            // the device gets the first call and answers with noise
        }
        Random random = new Random(seed);
        byte[] wire = framed ? RecordMarking.frame(noise, 1 + random.nextInt(40)) : noise;
        Set<Long> ended = new HashSet<>();
        for (byte[] chunk : Chunking.randomSplit(wire, random)) {
            m.receive(ByteBuffer.wrap(chunk), now);
            collect(m, ended);
        }
        for (int i = 0; i < 10 && ended.size() < ids.size(); i++) {   // then time passes
            now = Math.max(now + 1, m.pollTimeoutNanos());
            m.handleTimeout(now);
            while (m.pollTransmit() != null) {
                // nothing answers any more
            }
            collect(m, ended);
        }
        assertThat(ended).isEqualTo(ids);
    }

    private static void collect(Vxi11Session m, Set<Long> ended) {
        for (Event e = m.nextEvent(); e != Event.NeedData.INSTANCE; e = m.nextEvent()) {
            long id = e instanceof Event.Reply r ? r.id() : e instanceof Event.Timeout t ? t.id()
                    : e instanceof Event.Failed f ? f.id() : -1;
            if (id >= 0) {
                assertThat(ended.add(id)).as("request %d ended twice (%s)", id, e).isTrue();
            }
        }
    }
}
