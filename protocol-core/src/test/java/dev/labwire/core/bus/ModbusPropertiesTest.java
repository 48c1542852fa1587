package dev.labwire.core.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Event;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.RtuFramer;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips at random splits, and random garbage: clear outcomes, bounded memory, every call ends once. */
class ModbusPropertiesTest {

    @Property(tries = 2000)
    void registersRoundTripThroughRtuAtAnySplit(@ForAll @IntRange(min = 1, max = 247) int unit,
            @ForAll @Size(min = 1, max = 125) List<@IntRange(min = 0, max = 65535) Integer> values, @ForAll long seed) {
        int[] regs = values.stream().mapToInt(Integer::intValue).toArray();
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0, regs.length);
        byte[] pdu = new byte[2 + 2 * regs.length];
        pdu[0] = 3;
        pdu[1] = (byte) (2 * regs.length);
        for (int i = 0; i < regs.length; i++) {
            pdu[2 + 2 * i] = (byte) (regs[i] >> 8);
            pdu[3 + 2 * i] = (byte) regs[i];
        }
        byte[] adu = Modbus.rtuAddressing().encodeReply(Address.of(unit), pdu);
        RtuFramer framer = RtuFramer.forReplies(Duration.ofMillis(20));
        InputBuffer in = new InputBuffer(16);
        List<Frame> frames = new ArrayList<>();
        for (byte[] chunk : Chunking.randomSplit(adu, new Random(seed))) {
            framer.receiving(in, 0);
            in.append(chunk);
            for (FrameResult r; (r = framer.decode(in)) instanceof Frame f; ) {
                frames.add(f);
            }
        }
        assertThat(frames).hasSize(1);
        Frame stripped = Modbus.rtuAddressing().decode(Address.of(unit), frames.get(0));
        assertThat(c.decode(unit, stripped.toByteArray())).containsExactly(regs);
    }

    enum Transport { RTU, ASCII, TCP }

    @Property(tries = 1000)
    void everyTransportDeliversTheRegistersWhateverTheSplit(@ForAll Transport transport,
            @ForAll @IntRange(min = 1, max = 247) int unit,
            @ForAll @Size(min = 1, max = 125) List<@IntRange(min = 0, max = 65535) Integer> values, @ForAll long seed) {
        int[] regs = values.stream().mapToInt(Integer::intValue).toArray();
        BusConfig cfg = switch (transport) {
            case RTU -> Modbus.rtu(9600);
            case ASCII -> Modbus.ascii();
            case TCP -> Modbus.tcp();
        };
        BusRig rig = BusRig.open(cfg, w -> null);
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(7, regs.length);
        long id = rig.send(Address.of(unit), c.request(unit, cfg.addressing()), Bus.Priority.NORMAL);
        byte[] pdu = new byte[2 + 2 * regs.length];
        pdu[0] = 3;
        pdu[1] = (byte) (2 * regs.length);
        for (int i = 0; i < regs.length; i++) {
            pdu[2 + 2 * i] = (byte) (regs[i] >> 8);
            pdu[3 + 2 * i] = (byte) regs[i];
        }
        byte[] reply = cfg.addressing().encode(Address.of(unit), pdu, 1);
        if (transport == Transport.ASCII) {
            reply = Arrays.copyOf(reply, reply.length + 2);
            reply[reply.length - 2] = '\r';
            reply[reply.length - 1] = '\n';
        }
        if (transport == Transport.TCP) {
            byte[] written = rig.wire.get(0).bytes();
            reply[0] = written[0];
            reply[1] = written[1];
        }
        for (byte[] chunk : Chunking.randomSplit(reply, new Random(seed))) {
            rig.deliver(chunk);
        }
        Event e = rig.events.stream().filter(x -> x instanceof Event.Reply r && r.id() == id).findFirst().orElseThrow();
        assertThat(c.result(unit, (Event.Reply) e)).containsExactly(regs);
    }

    @Property(tries = 1000)
    void garbageOnTheBusEndsTheCallOnceByItsDeadlineAndNeverGrowsMemory(@ForAll @Size(max = 600) byte[] garbage,
            @ForAll long seed) {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0, 2);
        long id = rig.send(Address.of(3), c.request(3, cfg.addressing(), Duration.ofMillis(500)), Bus.Priority.NORMAL);
        Random r = new Random(seed);
        for (byte[] chunk : Chunking.randomSplit(garbage, r)) {
            rig.deliver(chunk);
            rig.advance(Duration.ofMillis(r.nextInt(30)));
        }
        rig.advanceThroughTimers(Duration.ofSeconds(1));
        long endings = rig.events.stream().filter(e -> (e instanceof Event.Reply x && x.id() == id)
                || (e instanceof Event.Failed f && f.id() == id) || (e instanceof Event.Timeout t && t.id() == id)).count();
        assertThat(endings).isEqualTo(1);
        for (Event e : rig.events) {
            if (e instanceof Event.Reply x && x.id() == id) {
                // garbage that happens to be a valid frame of unit 3: it must still decode to a value or a clear error
                try {
                    c.result(3, x);
                } catch (RuntimeException ex) {
                    assertThat(ex).hasMessageContaining("unit 3");
                }
            }
            if (e instanceof Event.Failed f && f.id() == id) {
                assertThat(f.cause().getMessage()).containsAnyOf("unit 3", "bad CRC", "broke off");
            }
        }
        // the bus is usable again once the unit's lateReplyGrace has passed: a good reply now is delivered
        rig.advanceThroughTimers(Duration.ofMillis(1500));
        long next = rig.send(Address.of(3), c.request(3, cfg.addressing()), Bus.Priority.NORMAL);
        assertThat(rig.bus.isWireBusy()).isTrue();
        rig.advance(Duration.ofMillis(50));
        rig.deliver(Modbus.rtuAddressing().encodeReply(Address.of(3), new byte[] {3, 4, 0, 1, 0, 2}));
        assertThat(rig.events.stream().anyMatch(e -> e instanceof Event.Reply x && x.id() == next
                && Arrays.equals(c.result(3, x), new int[] {1, 2}))).as("the next call is answered").isTrue();
    }

    @Property(tries = 1000)
    void randomBytesIntoTheFramerNeverHoldMoreThanOneFrame(@ForAll @Size(max = 2000) byte[] bytes, @ForAll long seed) {
        RtuFramer f = RtuFramer.forReplies(Duration.ofMillis(4));
        InputBuffer in = new InputBuffer(16);
        Random r = new Random(seed);
        long now = 0;
        for (byte[] chunk : Chunking.randomSplit(bytes, r)) {
            now += r.nextInt(8_000_000);
            f.receiving(in, now);
            in.append(ByteBuffer.wrap(chunk));
            while (f.decode(in) != FrameResult.NeedData.INSTANCE) {
                // drain
            }
            assertThat(in.readableBytes()).isLessThan(256);
        }
    }
}
