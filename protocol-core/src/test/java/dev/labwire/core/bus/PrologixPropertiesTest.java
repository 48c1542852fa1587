package dev.labwire.core.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Request;
import dev.labwire.core.testing.Chunking;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Escaping round trips for any bytes, and binary messages through a Prologix bus both ways at random splits. */
class PrologixPropertiesTest {

    @Property(tries = 3000)
    void anyBytesSurviveEscapingAsOneDataLine(@ForAll @Size(max = 300) byte[] data) {
        byte[] line = Prologix.dataLine(data);
        // no unescaped CR or LF before the final LF, and no unescaped "++" at the start: one data line for the adapter
        boolean esc = false;
        for (int i = 0; i < line.length - 1; i++) {
            if (esc) {
                esc = false;
            } else if (line[i] == Prologix.ESC) {
                esc = true;
            } else {
                assertThat(line[i]).as("unescaped byte at %d", i).isNotIn((byte) '\r', (byte) '\n', (byte) '+');
            }
        }
        assertThat(esc).as("the final LF is not escaped").isFalse();
        PrologixAdapterSim sim = new PrologixAdapterSim();
        sim.addr = 4;
        for (byte[] chunk : Chunking.randomSplit(line, new Random(data.length))) {
            sim.apply(chunk);
        }
        if (data.length > 0) {
            assertThat(sim.received.get(4)).singleElement().isEqualTo(data);
        } else {
            assertThat(sim.received).isEmpty();   // the adapter ignores an empty line
        }
    }

    @Property(tries = 300)
    void binaryMessagesGoAndComeBackWhateverTheSplit(@ForAll @Size(min = 1, max = 200) byte[] data,
            @ForAll @IntRange(min = 0, max = 30) int pad, @ForAll long seed) {
        PrologixAdapterSim sim = new PrologixAdapterSim().instrument(pad, m -> m.clone());
        BusRig rig = BusRig.open(Prologix.config(Duration.ofMillis(100), ""), sim);
        rig.hold(true);
        long id = rig.send(Prologix.address(pad), Request.of(data, Expect.bytes(data.length)), Bus.Priority.NORMAL);
        byte[] back = rig.takeOutbox();
        for (byte[] chunk : Chunking.randomSplit(back, new Random(seed))) {
            rig.deliver(chunk);
        }
        assertThat(sim.received.get(pad)).singleElement().isEqualTo(data);
        assertThat(rig.replyBytes(id)).isEqualTo(data);
        assertThat(rig.eventsOf(Event.Failed.class)).isEmpty();
        assertThat(List.of(rig.bus.queuedCount())).containsExactly(0);
    }
}
