package dev.labwire.core.rfc2217;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.rfc2217.internal.ComPortSetup;
import dev.labwire.core.rfc2217.internal.TelnetDecoder;
import dev.labwire.core.rfc2217.internal.TelnetEncoder;
import dev.labwire.core.endpoint.FlowControl;
import dev.labwire.core.endpoint.Parity;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.endpoint.StopBits;
import dev.labwire.core.endpoint.DataBits;
import dev.labwire.core.testing.Chunking;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Telnet framing (RFC 854, 855, 856) and RFC 2217 command bytes, fed at every split. */
class TelnetCodecTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** Decodes the chunks; one string per data byte or command, in order. */
    private static List<String> decode(List<byte[]> chunks, boolean binary, int maxSb) {
        TelnetDecoder d = new TelnetDecoder(maxSb);
        d.binary(binary);
        List<String> out = new ArrayList<>();
        List<String> commands = new ArrayList<>();   // decode returns after a command: the data came before it
        TelnetDecoder.Sink sink = new TelnetDecoder.Sink() {
            @Override
            public void option(int verb, int option) {
                commands.add("opt " + verb + " " + option);
            }

            @Override
            public void subnegotiation(int option, byte[] buf, int len) {
                StringBuilder b = new StringBuilder("sb " + option);
                for (int i = 0; i < len; i++) {
                    b.append(' ').append(buf[i] & 0xFF);
                }
                commands.add(b.toString());
            }

            @Override
            public void malformed(String what) {
                commands.add("bad");
            }
        };
        ByteBuffer data = ByteBuffer.allocate(4);   // small on purpose: decode stops when it is full
        for (byte[] c : chunks) {
            ByteBuffer in = ByteBuffer.wrap(c);
            while (in.hasRemaining()) {
                data.clear();
                d.decode(in, data, sink);
                data.flip();
                while (data.hasRemaining()) {
                    out.add("d " + (data.get() & 0xFF));
                }
                out.addAll(commands);
                commands.clear();
            }
        }
        return out;
    }

    @Test
    void dataCommandsAndSubnegotiationsAtEverySplit() {
        // 'A' IAC IAC 'B' | IAC WILL BINARY | IAC SB 44 107 0x30 IAC SE | 'C' IAC NOP 'D' IAC GA
        // | IAC SB 44 101 00 00 FF FF 00 IAC SE (a 255 inside a subnegotiation is doubled)
        byte[] fixture = bytes('A', 255, 255, 'B', 255, 251, 0, 255, 250, 44, 107, 0x30, 255, 240, 'C', 255, 241, 'D',
                255, 249, 255, 250, 44, 101, 0, 0, 255, 255, 0, 255, 240);
        List<String> expected = List.of("d 65", "d 255", "d 66", "opt 251 0", "sb 44 107 48", "d 67", "d 68",
                "sb 44 101 0 0 255 0");
        Chunking.assertEveryChunkingAndGarbage(fixture, bytes(255, 250, 44, 1, 2), c -> decode(c, true, 16), expected);
    }

    @Test
    void anOversizedSubnegotiationIsReportedAndSkippedToItsEnd() {
        byte[] fixture = bytes(255, 250, 44, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 255, 10, 255, 240, 'x', 255, 252, 1);
        Chunking.assertEveryChunking(fixture, c -> decode(c, true, 4), List.of("bad", "d 120", "opt 252 1"));
    }

    @Test
    void aCommandInsideASubnegotiationEndsItAsMalformed() {
        byte[] fixture = bytes(255, 250, 44, 1, 2, 255, 253, 3, 'y');
        Chunking.assertEveryChunking(fixture, c -> decode(c, true, 16), List.of("bad", "opt 253 3", "d 121"));
    }

    @Test
    void withoutBinaryCrNulIsACarriageReturnAndCrLfStays() {
        byte[] fixture = bytes('a', '\r', 0, 'b', '\r', '\n', 'c', 0);
        Chunking.assertEveryChunking(fixture, c -> decode(c, false, 16),
                List.of("d 97", "d 13", "d 98", "d 13", "d 10", "d 99", "d 0"));
        // in BINARY mode the NUL is data
        Chunking.assertEveryChunking(fixture, c -> decode(c, true, 16),
                List.of("d 97", "d 13", "d 0", "d 98", "d 13", "d 10", "d 99", "d 0"));
    }

    @Test
    void encoderDoublesIacAndMarksBareCrOutsideBinary() {
        assertThat(escape(bytes('x', 255, 'y'), true)).containsExactly(bytes('x', 255, 255, 'y'));
        assertThat(escape(bytes(255, 255), true)).containsExactly(bytes(255, 255, 255, 255));
        assertThat(escape(bytes('a', '\r', 'b', '\r', '\n', '\r'), false))
                .containsExactly(bytes('a', '\r', 0, 'b', '\r', '\n', '\r', 0));
        assertThat(escape(bytes('a', '\r', 'b'), true)).containsExactly(bytes('a', '\r', 'b'));
    }

    private static byte[] escape(byte[] data, boolean binary) {
        ByteBuffer out = ByteBuffer.allocate(2 * data.length);
        ByteBuffer in = ByteBuffer.wrap(data);
        assertThat(TelnetEncoder.escape(in, out, binary)).isEqualTo(data.length);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** RFC 2217 section 2: values and order; 9600 = 00 00 25 80, network order. */
    @Test
    void comPortSetupBytes() {
        SerialSettings s = SerialSettings.builder().baudRate(9600).dataBits(DataBits.SEVEN).parity(Parity.EVEN)
                .stopBits(StopBits.ONE_POINT_FIVE).flowControl(FlowControl.XON_XOFF).build();
        List<byte[]> c = new ComPortSetup(s, true, true).commands();
        assertThat(c).hasSize(9);
        assertThat(c.get(0)).containsExactly(bytes(255, 250, 44, 1, 0, 0, 0x25, 0x80, 255, 240));
        assertThat(c.get(1)).containsExactly(bytes(255, 250, 44, 2, 7, 255, 240));
        assertThat(c.get(2)).containsExactly(bytes(255, 250, 44, 3, 3, 255, 240));   // EVEN is 3
        assertThat(c.get(3)).containsExactly(bytes(255, 250, 44, 4, 3, 255, 240));   // 1.5 stop bits is 3
        assertThat(c.get(4)).containsExactly(bytes(255, 250, 44, 5, 2, 255, 240));   // XON/XOFF is 2
        assertThat(c.get(5)).containsExactly(bytes(255, 250, 44, 5, 8, 255, 240));   // DTR ON
        assertThat(c.get(6)).containsExactly(bytes(255, 250, 44, 5, 11, 255, 240));  // RTS ON
        assertThat(c.get(7)).containsExactly(bytes(255, 250, 44, 10, 0x1E, 255, 240));
        assertThat(c.get(8)).containsExactly(bytes(255, 250, 44, 12, 3, 255, 240));  // purge both
        // hardware flow: no RTS ON (the UART drives RTS); parity ODD 2, MARK 4, SPACE 5, stop 2 is 2
        SerialSettings h = s.toBuilder().flowControl(FlowControl.RTS_CTS).parity(Parity.ODD).stopBits(StopBits.TWO).build();
        List<byte[]> hc = new ComPortSetup(h, true, false).commands();
        assertThat(hc).hasSize(7);
        assertThat(hc.get(2)).containsExactly(bytes(255, 250, 44, 3, 2, 255, 240));
        assertThat(hc.get(3)).containsExactly(bytes(255, 250, 44, 4, 2, 255, 240));
        assertThat(hc.get(4)).containsExactly(bytes(255, 250, 44, 5, 3, 255, 240));
        assertThat(new ComPortSetup(s.toBuilder().parity(Parity.MARK).build(), false, false).commands().get(2))
                .containsExactly(bytes(255, 250, 44, 3, 4, 255, 240));
        assertThat(new ComPortSetup(s.toBuilder().parity(Parity.SPACE).build(), false, false).commands().get(2))
                .containsExactly(bytes(255, 250, 44, 3, 5, 255, 240));
        // a 255 among the baud bytes is doubled: 65280 = 00 00 FF 00
        assertThat(new ComPortSetup(s.toBuilder().baudRate(65280).build(), false, false).commands().get(0))
                .containsExactly(bytes(255, 250, 44, 1, 0, 0, 255, 255, 0, 255, 240));
    }

    @Test
    void answersWithAnotherValueAreNamed() {
        ComPortSetup setup = new ComPortSetup(SerialSettings.DEFAULT, true, true);
        assertThat(setup.answered(1, bytes(0, 0, 0x12, 0xC0))).contains("SET-BAUDRATE 9600").contains("4800");
        assertThat(setup.answered(2, bytes(8))).isNull();
        assertThat(setup.unansweredRequired()).startsWith("SET-PARITY");
        assertThat(setup.answered(5, bytes(8))).isNull();   // DTR ON's answer does not count as the flow control's
        assertThat(setup.unansweredRequired()).startsWith("SET-PARITY");
        assertThat(setup.allAnswered()).isFalse();
    }

    /** Whatever the data and however the wire splits it, escaping then decoding gives the data back. */
    @Property(tries = 300)
    void escapeThenDecodeRoundTrips(@ForAll @Size(max = 60) byte[] data, @ForAll boolean binary,
            @ForAll @IntRange(min = 1, max = 1000) int seed) {
        byte[] wire = escape(data, binary);
        List<String> got = decode(Chunking.randomSplit(wire, new java.util.Random(seed)), binary, 16);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        for (String s : got) {
            assertThat(s).startsWith("d ");
            back.write(Integer.parseInt(s.substring(2)));
        }
        assertThat(back.toByteArray()).containsExactly(data);
    }
}
