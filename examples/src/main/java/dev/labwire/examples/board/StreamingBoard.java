package dev.labwire.examples.board;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A USB-serial board (Arduino-like, {@link SimulatedBoard}) streaming a status frame every 25 ms while it
 * takes commands on the same link, read with one {@link BlockingClient}: a {@link LatestStatus} keeps the
 * newest frame from the client's callback, a display thread polls it ten times a second, the main thread
 * switches the LED and asks the rate five times a second, and the run ends with what it cost: the CPU time
 * used per minute of streaming, so you know what watching a board all day takes.
 *
 * <p>Run (10 s by default; the argument is the duration in seconds):
 * {@code mvn -q -B install -DskipTests && mvn -q -B -pl examples exec:java
 * -Dexec.mainClass=dev.labwire.examples.board.StreamingBoard -Dexec.args=30}
 *
 * <p>The board is on a socat pty pair at 115200 baud, or on loopback TCP when socat is missing. The CPU
 * figure is this whole JVM's ({@link ProcessHandle.Info#totalCpuDuration()}: the client, the simulated
 * board's threads and, on short runs, the JIT compiler warming up) plus socat's, measured over the streaming
 * window and scaled to a minute; a real board leaves only the client's share, so take it as an upper bound.
 */
public final class StreamingBoard {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration POLL_PERIOD = Duration.ofMillis(100);
    private static final Duration COMMAND_PERIOD = Duration.ofMillis(200);
    private static final List<String> COMMANDS = List.of("LED 1", "LED?", "RATE?", "LED 0", "LED?");
    private static final List<String> ANSWERS = List.of("OK", "1", "40", "OK", "0");

    /**
     * What a run saw.
     *
     * @param seconds             the streaming window
     * @param frames              status frames taken in it
     * @param framesPerSecond     frames over the window
     * @param gaps                frames missing from the sequence
     * @param outOfOrder          frames older than one already taken
     * @param commands            commands sent while streaming
     * @param commandsAnswered    of them, answered with what the board should say
     * @param slowestCommandMillis the longest command round trip
     * @param polls               latest-value polls by the display thread
     * @param pollsWithNewFrame   polls that saw a newer frame than the poll before
     * @param medianPollAgeMillis the age of the polled frame, median
     * @param oldestPollAgeMillis the age of the polled frame, worst
     * @param cpuMillisPerMinute  this JVM's CPU time per minute of streaming
     * @param socatCpuMillisPerMinute socat's CPU time per minute, or -1 when not on a pty
     */
    public record Report(double seconds, long frames, double framesPerSecond, long gaps, long outOfOrder,
                         int commands, int commandsAnswered, double slowestCommandMillis,
                         int polls, int pollsWithNewFrame, double medianPollAgeMillis, double oldestPollAgeMillis,
                         double cpuMillisPerMinute, double socatCpuMillisPerMinute) {
    }

    private final PrintStream out;
    private final long t0 = System.nanoTime();

    StreamingBoard(PrintStream out) {
        this.out = out;
    }

    /** Streams for {@code args[0]} seconds (default 10) and prints the report. */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        if (!(seconds > 0 && seconds <= 24 * 3600)) {
            throw new IllegalArgumentException("duration must be 0 to 86400 seconds: " + args[0]);
        }
        new StreamingBoard(System.out).run(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    private void say(String format, Object... args) {
        out.printf(Locale.ROOT, "[%6.0f ms] %s%n", (System.nanoTime() - t0) / 1e6, String.format(Locale.ROOT, format, args));
    }

    Report run(Duration duration) throws Exception {
        out.printf(Locale.ROOT, "labwire streaming board: a status frame every 25 ms and commands on one link, for %.1f s%n",
                duration.toMillis() / 1000.0);
        try (SimulatedBoard board = SimulatedBoard.start()) {
            if (!board.serial()) {
                say("socat is not installed (apt-get install -y socat): the board streams over loopback TCP instead of a serial pty");
            }
            say("board on %s", board.endpoint());
            LatestStatus latest = new LatestStatus();
            try (BlockingClient client = BlockingClient.open(board.endpoint(), ConnectionConfig.builder()
                         .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII)))
                         .defaultTimeout(Duration.ofSeconds(1))
                         .build());
                 AutoCloseable feed = client.onPushed(latest)) {
                client.awaitReady(WAIT);
                say("ID? -> %s", client.query("ID?"));
                BoardStatus first = latest.awaitFirst(WAIT);
                say("first frame: seq=%d temp=%.2f adc=%d", first.seq(), first.temperature(), first.adc());
                return stream(client, latest, duration, board.serial());
            }
        }
    }

    private Report stream(BlockingClient client, LatestStatus latest, Duration duration, boolean serial) throws Exception {
        out.println("\n-- streaming: a display thread polls the latest frame every 100 ms; commands every 200 ms");
        long frames0 = latest.frames();
        long gaps0 = latest.gaps();
        long outOfOrder0 = latest.outOfOrder();
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        long socat0 = socatCpuNanos();
        long end = start + duration.toNanos();

        AtomicBoolean stop = new AtomicBoolean();
        List<Double> ages = new ArrayList<>();
        int[] newer = new int[1];
        Thread display = new Thread(() -> {
            long seen = -1;
            for (long next = System.nanoTime(); !stop.get(); next += POLL_PERIOD.toNanos()) {
                LockSupport.parkNanos(next - System.nanoTime()); // the display's refresh rate
                BoardStatus s = latest.latest();
                ages.add(s.ageMillis(System.nanoTime()));
                if (s.seq() > seen) {
                    newer[0]++;
                    seen = s.seq();
                }
            }
        }, "board-display");
        display.start();

        int sent = 0;
        int answered = 0;
        double slowest = 0;
        long nextReport = start + Duration.ofSeconds(1).toNanos();
        long framesAtReport = frames0;
        int answeredAtReport = 0;
        double slowestThisSecond = 0;
        for (long next = start; next < end; next += COMMAND_PERIOD.toNanos()) {
            LockSupport.parkNanos(next - System.nanoTime());
            int i = sent % COMMANDS.size();
            long t = System.nanoTime();
            String reply = client.query(COMMANDS.get(i));
            double ms = (System.nanoTime() - t) / 1e6;
            sent++;
            slowest = Math.max(slowest, ms);
            if (reply.equals(ANSWERS.get(i))) {
                answered++;
            } else {
                say("%s -> \"%s\", expected \"%s\"", COMMANDS.get(i), reply, ANSWERS.get(i));
            }
            slowestThisSecond = Math.max(slowestThisSecond, ms);
            if (System.nanoTime() >= nextReport) {
                BoardStatus s = latest.latest();
                long frames = latest.frames();
                say("%3d frames in the last second, latest seq=%d temp=%.2f adc=%d (%.0f ms old); %d commands answered, slowest %.1f ms",
                        frames - framesAtReport, s.seq(), s.temperature(), s.adc(), s.ageMillis(System.nanoTime()),
                        answered - answeredAtReport, slowestThisSecond);
                framesAtReport = frames;
                answeredAtReport = answered;
                slowestThisSecond = 0;
                nextReport += Duration.ofSeconds(1).toNanos();
            }
        }
        LockSupport.parkNanos(end - System.nanoTime()); // the window is the whole duration
        stop.set(true);
        display.join();
        long now = System.nanoTime();
        double seconds = (now - start) / 1e9;
        double cpuPerMinute = (processCpuNanos() - cpu0) / 1e6 * 60 / seconds;
        double socatPerMinute = serial ? (socatCpuNanos() - socat0) / 1e6 * 60 / seconds : -1;
        long frames = latest.frames() - frames0;
        List<Double> sorted = ages.stream().sorted().toList();
        Report r = new Report(seconds, frames, frames / seconds, latest.gaps() - gaps0, latest.outOfOrder() - outOfOrder0,
                sent, answered, slowest, sorted.size(), newer[0],
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1),
                cpuPerMinute, socatPerMinute);

        out.println("\n-- what it cost");
        say("%d frames in %.1f s: %.1f frames/s, %s", r.frames(), r.seconds(), r.framesPerSecond(),
                r.gaps() == 0 && r.outOfOrder() == 0 ? "all in order" : r.gaps() + " missing, " + r.outOfOrder() + " out of order");
        say("%d of %d commands answered correctly while streaming, the slowest in %.1f ms", r.commandsAnswered(),
                r.commands(), r.slowestCommandMillis());
        say("%d latest-value polls from the display thread (%d saw a newer frame): median age %.1f ms, oldest %.1f ms",
                r.polls(), r.pollsWithNewFrame(), r.medianPollAgeMillis(), r.oldestPollAgeMillis());
        say("CPU: %.0f ms per minute of streaming for this JVM (client and simulated board; %.2f %% of one core)%s",
                r.cpuMillisPerMinute(), r.cpuMillisPerMinute() / 600,
                serial ? String.format(Locale.ROOT, ", %.0f ms per minute for socat", r.socatCpuMillisPerMinute()) : "");
        return r;
    }

    /** This JVM's CPU time so far (all threads, user and system); 0 where the OS does not tell. */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** The CPU time of the socat processes this JVM started (the simulated board's pty pair). */
    private static long socatCpuNanos() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("socat")).orElse(false))
                .map(p -> p.info().totalCpuDuration())
                .flatMap(Optional::stream)
                .mapToLong(Duration::toNanos)
                .sum();
    }
}
