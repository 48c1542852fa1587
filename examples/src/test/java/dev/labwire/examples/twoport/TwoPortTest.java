package dev.labwire.examples.twoport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.InputBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two-port reference: its custom framer on byte splits, and both ports end to end against the simulator. */
class TwoPortTest {

    /** Feeds {@code wire} to a fresh framer {@code step} bytes at a time; frames as text, errors as "ERROR". */
    private static List<String> frames(String wire, int step, int max) {
        ControlReplyFramer f = new ControlReplyFramer(max);
        InputBuffer in = new InputBuffer();
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += step) {
            in.append(bytes, i, Math.min(step, bytes.length - i));
            for (FrameResult r; (r = f.decode(in)) != FrameResult.NeedData.INSTANCE; ) {
                out.add(r instanceof Frame fr ? fr.asString() : r instanceof FramingError ? "ERROR" : "?");
            }
            assertThat(in.readableBytes()).as("held after a drain").isLessThanOrEqualTo(max + 2 + step);
        }
        assertThat(in.readableBytes()).isZero();
        return out;
    }

    @Test
    void theFramerCutsOneFramePerReplyHoweverTheBytesArrive() {
        String wire = "OK\nOK =4\r\nERR no such channel\n!a\n!b c\r\n.\r\n!only\n.\nOK\n";
        for (int step : new int[] {1, 2, 3, 7, 100}) {
            assertThat(frames(wire, step, 64)).as("step " + step)
                    .containsExactly("OK", "OK =4", "ERR no such channel", "!a\n!b c", "!only", "OK");
        }
    }

    @Test
    void aTooLongReplyIsOneErrorAndTheNextReplyIsIntact() {
        String longLine = "OK =" + "x".repeat(100) + "\n";
        String longList = "!" + "y".repeat(30) + "\n!" + "z".repeat(30) + "\n!w\n.\n";
        for (int step : new int[] {1, 5, 1000}) {
            assertThat(frames(longLine + "OK\n" + longList + "OK =1\n", step, 40)).as("step " + step)
                    .containsExactly("ERROR", "OK", "ERROR", "OK =1");
        }
    }

    @Test
    void bothPortsEndToEnd() {
        try (TwoPortSimulator device = new TwoPortSimulator();
             ControlPort control = new ControlPort(device.controlEndpoint());
             DataPort data = new DataPort(device.dataEndpoint()).awaitReady(Duration.ofSeconds(5))) {
            assertThat(control.list("LIST CHANNELS")).containsExactly("0 temperature mK", "1 pressure mPa", "2 flow uL/min");
            assertThat(control.command("GAIN 2")).isEmpty();
            assertThat(control.command("GAIN?")).isEqualTo("2");
            assertThatThrownBy(() -> control.command("GAIN 99")).isInstanceOf(DeviceException.class)
                    .hasMessageContaining("out of range");
            // an ERR answer to a list command ends its exchange at once (no "." is awaited)
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> control.list("LIST BOGUS")).isInstanceOf(DeviceException.class)
                    .hasMessageContaining("unknown command");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            control.command("START");
            DataPort.Sample first = data.next(Duration.ofSeconds(2));
            assertThat(first).isNotNull();
            long expected = first.sequence();
            for (int i = 0; i < 100; i++) {
                DataPort.Sample s = data.next(Duration.ofSeconds(2));
                assertThat(s.sequence()).as("frames in order, none lost").isEqualTo(++expected);
                assertThat(s.channels()).hasSize(3);
                assertThat(s.channels()[1]).isEqualTo((short) (2 * (100 + s.sequence() % 100)));
            }
            control.command("STOP");
            assertThat(data.dropped()).isZero();
        }
    }
}
