package dev.labwire.core.vxi11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11Calls;
import dev.labwire.core.vxi11.internal.Vxi11Results;
import dev.labwire.core.vxi11.internal.XdrReader;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random, truncated and mutated input to every decoder: each either decodes or throws a
 * {@link RemoteProtocolException} (never another exception), and record marking stays bounded and never hangs.
 */
class Vxi11FuzzPropertiesTest {

    private static final List<Consumer<byte[]>> DECODERS = List.of(
            RpcCall::decode, RpcReply::decode, Portmap::decodeMapping,
            b -> Portmap.decodeDump(new XdrReader(b)),
            Vxi11Calls::decodeLink,
            Vxi11Calls.CreateLinkParms::decode, Vxi11Calls.DeviceWriteParms::decode,
            Vxi11Calls.DeviceReadParms::decode, Vxi11Calls.DeviceGenericParms::decode,
            Vxi11Calls.DeviceRemoteFunc::decode, Vxi11Calls.DeviceEnableSrqParms::decode,
            Vxi11Calls.DeviceLockParms::decode, Vxi11Calls.DeviceDocmdParms::decode, Vxi11Calls.DeviceSrqParms::decode,
            b -> Vxi11Results.DeviceError.decode(new XdrReader(b)),
            b -> Vxi11Results.CreateLinkResp.decode(new XdrReader(b)),
            b -> Vxi11Results.DeviceWriteResp.decode(new XdrReader(b)),
            b -> Vxi11Results.DeviceReadResp.decode(new XdrReader(b), 1 << 20),
            b -> Vxi11Results.DeviceReadStbResp.decode(new XdrReader(b)),
            b -> Vxi11Results.DeviceDocmdResp.decode(new XdrReader(b)),
            b -> Portmap.decodePort(RpcReply.decode(b), 0x10));

    private static final List<byte[]> FIXTURES = List.of(Vxi11Fixtures.CREATE_LINK_CALL,
            Vxi11Fixtures.CREATE_LINK_REPLY, Vxi11Fixtures.DEVICE_WRITE_CALL, Vxi11Fixtures.DEVICE_READ_REPLY,
            Vxi11Fixtures.GETPORT_CALL, Vxi11Fixtures.GETPORT_REPLY);

    private static void decodeOrRefuse(byte[] input) {
        for (Consumer<byte[]> d : DECODERS) {
            try {
                d.accept(input);
            } catch (RemoteProtocolException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Property(tries = 500)
    void randomBytes(@ForAll @Size(max = 80) byte[] input) {
        decodeOrRefuse(input);
    }

    @Property(tries = 300)
    void truncatedAndMutatedFixtures(@ForAll @IntRange(min = 0, max = 5) int which, @ForAll long seed) {
        byte[] fixture = Vxi11Fixtures.unmarked(FIXTURES.get(which));
        Random random = new Random(seed);
        decodeOrRefuse(Arrays.copyOf(fixture, random.nextInt(fixture.length + 1)));
        byte[] mutated = fixture.clone();
        for (int i = 0; i < 1 + random.nextInt(4); i++) {
            mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
        }
        decodeOrRefuse(mutated);
        // and the arguments/results alone (after the 40- or 24-byte RPC header)
        int header = (fixture[7] == 0) ? 40 : 24;
        if (mutated.length > header) {
            decodeOrRefuse(Arrays.copyOfRange(mutated, header, mutated.length));
        }
    }

    @Provide
    Arbitrary<byte[]> streams() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Property(tries = 300)
    void recordMarkingOnRandomStreamsIsBoundedAndEnds(@ForAll("streams") byte[] stream, @ForAll long seed) {
        RecordMarking rm = new RecordMarking(64);
        int consumed = 0;
        int calls = 0;
        for (byte[] chunk : Chunking.randomSplit(stream, new Random(seed))) {
            ByteBuffer in = ByteBuffer.wrap(chunk);
            while (true) {
                assertThat(++calls).as("calls (a hang would loop)").isLessThan(10 * (stream.length + 10));
                int before = in.position();
                byte[] rec;
                try {
                    rec = rm.receive(in);
                } catch (RemoteProtocolException e) {
                    assertThat(e.getMessage()).contains("exceeds the maximum of 64 bytes");
                    consumed += in.position() - before;
                    continue;
                }
                consumed += in.position() - before;
                if (rec == null) {
                    assertThat(in.hasRemaining()).isFalse();
                    break;
                }
                assertThat(rec.length).isLessThanOrEqualTo(64);
            }
        }
        assertThat(consumed).isEqualTo(stream.length);
    }

    @Property(tries = 200)
    void validRecordsSurviveAnyFragmentationAndSplitting(@ForAll @Size(max = 5) List<@Size(max = 40) byte[]> records,
            @ForAll @IntRange(min = 1, max = 50) int fragment, @ForAll long seed) {
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (byte[] r : records) {
            wire.writeBytes(RecordMarking.frame(r, fragment));
        }
        RecordMarking rm = new RecordMarking(40);
        List<byte[]> got = new ArrayList<>();
        for (byte[] chunk : Chunking.randomSplit(wire.toByteArray(), new Random(seed))) {
            ByteBuffer in = ByteBuffer.wrap(chunk);
            for (byte[] rec; (rec = rm.receive(in)) != null; ) {
                got.add(rec);
            }
        }
        assertThat(got).hasSameSizeAs(records);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).isEqualTo(records.get(i));
        }
        assertThat(rm.isMidRecord()).isFalse();
    }
}
