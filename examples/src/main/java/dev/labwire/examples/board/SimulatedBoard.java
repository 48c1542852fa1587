package dev.labwire.examples.board;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An Arduino-like USB-serial board, simulated with {@link MockInstrument}: it pushes a status frame
 * {@code STAT seq=<n> temp=<degrees C> adc=<0..1023>} every {@link #PERIOD} and, on the same link, answers
 * {@code LED 1} / {@code LED 0} with {@code OK}, {@code LED?} with the LED's state, {@code RATE?} with the
 * frame rate in Hz and {@code ID?} with its name; anything else with {@code ERR unknown command}. The LED
 * shines on the light sensor: while it is on the ADC reads higher.
 *
 * <p>The board sits on one end of a socat pty pair ({@code serial:/dev/pts/N?baud=115200}); without socat it
 * is served on loopback TCP instead ({@link #serial()} says which), so the example still runs.
 */
public final class SimulatedBoard implements AutoCloseable {
    /** Time between two status frames: 40 frames a second. */
    public static final Duration PERIOD = Duration.ofMillis(25);

    private final MockInstrument mock;
    private final AutoCloseable stream;
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean led;

    private SimulatedBoard(boolean serial) {
        mock = serial ? MockInstrument.pty() : MockInstrument.tcp();
        mock.responder(this::command);
        stream = mock.pushEvery(PERIOD, this::frame);
    }

    /** Starts the board on a pty when socat is installed, else on loopback TCP. */
    public static SimulatedBoard start() {
        return new SimulatedBoard(MockInstrument.socatAvailable());
    }

    /** Starts the board on loopback TCP, socat or not. */
    public static SimulatedBoard startOnTcp() {
        return new SimulatedBoard(false);
    }

    /** Whether the board is on a serial pty (true) or on loopback TCP (socat missing). */
    public boolean serial() {
        return mock.endpoint().startsWith("serial:");
    }

    /** What a client opens: {@code serial:/dev/pts/N?baud=115200}, or {@code tcp://127.0.0.1:<port>}. */
    public String endpoint() {
        return serial() ? mock.endpoint() + "?baud=115200" : mock.endpoint();
    }

    /** The simulated board as a mock, to check what it was sent. */
    public MockInstrument mock() {
        return mock;
    }

    private String frame() {
        long n = seq.incrementAndGet();
        double temp = 24.0 + 0.5 * Math.sin(n / 400.0);
        int adc = (int) Math.round(480 + 300 * Math.sin(n / 40.0)) + (led ? 40 : 0);
        return String.format(Locale.ROOT, "STAT seq=%d temp=%.2f adc=%d", n, temp, adc);
    }

    private MockReply command(String command) {
        return switch (command) {
            case "LED 1" -> {
                led = true;
                yield MockReply.line("OK");
            }
            case "LED 0" -> {
                led = false;
                yield MockReply.line("OK");
            }
            case "LED?" -> MockReply.line(led ? "1" : "0");
            case "RATE?" -> MockReply.line(Long.toString(1000 / PERIOD.toMillis()));
            case "ID?" -> MockReply.line("LABWIRE-BOARD,1.2");
            default -> MockReply.line("ERR unknown command: " + command);
        };
    }

    /** Stops the stream and the board. */
    @Override
    public void close() {
        try {
            stream.close();
        } catch (Exception e) {
            // the mock's close below ends the stream anyway
        }
        mock.close();
    }

    @Override
    public String toString() {
        return "SimulatedBoard[" + endpoint() + "]";
    }
}
