package dev.labwire.examples.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.frame.Frame;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The streaming-board example for about two seconds: frames in order at 40/s, commands answered, fresh polls, a CPU figure. */
class StreamingBoardTest {

    @Test
    void streamsInOrderAnswersCommandsMeanwhileAndPrintsItsCpuPerMinute() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        StreamingBoard.Report r = new StreamingBoard(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(Duration.ofSeconds(2));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String out = bytes.toString(StandardCharsets.UTF_8);

        // frames: every one, in order, at about the board's 40 a second
        assertThat(r.seconds()).isBetween(1.9, 3.0);
        assertThat(r.gaps()).isZero();
        assertThat(r.outOfOrder()).isZero();
        assertThat(r.framesPerSecond()).isBetween(25.0, 55.0);
        // commands on the same link while it streams, each answered with what the board says
        assertThat(r.commands()).isGreaterThanOrEqualTo(8);
        assertThat(r.commandsAnswered()).isEqualTo(r.commands());
        // the display thread's polls saw recent frames, a newer one nearly every time
        assertThat(r.polls()).isGreaterThanOrEqualTo(10);
        assertThat(r.pollsWithNewFrame()).isGreaterThanOrEqualTo(r.polls() * 3 / 4);
        assertThat(r.medianPollAgeMillis()).isLessThan(100);
        assertThat(r.oldestPollAgeMillis()).isLessThan(1000);
        // the cost, printed and positive
        assertThat(r.cpuMillisPerMinute()).isPositive();
        assertThat(out).containsAnyOf("board on serial:", "socat is not installed")
                .contains("ID? -> LABWIRE-BOARD,1.2")
                .containsPattern("\\d+ frames in \\d\\.\\d s: \\d+\\.\\d frames/s, all in order")
                .contains(r.commands() + " of " + r.commands() + " commands answered correctly while streaming")
                .containsPattern("CPU: [1-9]\\d* ms per minute of streaming for this JVM");
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theLatestStatusKeepsTheNewestFrameAndCountsWhatIsMissing() {
        LatestStatus latest = new LatestStatus();
        assertThat(latest.latest()).isNull();
        latest.accept(Frame.of("STAT seq=7 temp=24.10 adc=500"));
        latest.accept(Frame.of("STAT seq=8 temp=24.20 adc=510"));
        latest.accept(Frame.of("STAT seq=11 temp=24.30 adc=520")); // 9 and 10 never came
        latest.accept(Frame.of("STAT seq=10 temp=24.25 adc=515")); // late: dropped, the newest stays
        latest.accept(Frame.of("garbage"));
        assertThat(latest.latest().seq()).isEqualTo(11);
        assertThat(latest.latest().temperature()).isEqualTo(24.30);
        assertThat(latest.latest().adc()).isEqualTo(520);
        assertThat(latest.frames()).isEqualTo(3);
        assertThat(latest.gaps()).isEqualTo(2);
        assertThat(latest.outOfOrder()).isEqualTo(1);
        assertThat(latest.malformed()).isEqualTo(1);
        assertThatThrownBy(() -> BoardStatus.parse("STAT seq=x temp=1 adc=2", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STAT seq=x temp=1 adc=2");
    }
}
