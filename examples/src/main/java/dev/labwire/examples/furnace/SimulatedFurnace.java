package dev.labwire.examples.furnace;

import dev.labwire.mock.MockBusDevice;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The instruments of a vacuum furnace, simulated with {@link MockInstrument} so that {@link FurnaceServer}
 * talks to them over real links:
 *
 * <ul>
 *   <li>two mass flow controllers on one RS485 bus (a socat pty at 19200 baud), addresses {@code A} (argon)
 *       and {@code B} (hydrogen): {@code FLOW?} answers the measured flow in sccm ({@code A+20.03} on the
 *       wire), {@code SP 25} sets the setpoint (no reply), {@code SP?} and {@code GAS?} read it back;</li>
 *   <li>a butterfly valve on RS232 (a pty at 9600 baud), one reply per command: {@code MOVE 80} turns it to
 *       80 % open and answers {@code OK} when the move is done, about {@link #VALVE_MOVE_TIME} later;
 *       {@code POS?} answers the position; anything else {@code ERR ...};</li>
 *   <li>an analog I/O box on TCP: {@code AI? 0} is the chamber pressure in mbar ({@code 1.234E+01}),
 *       {@code AI? 1} the chamber temperature in degrees C, {@code AI? 2} to {@code AI? 7} spare inputs in
 *       volts.</li>
 * </ul>
 *
 * <p>The pressure follows the gas load and the valve: more flow raises it, opening the valve lowers it,
 * and during a move the valve really is somewhere in between. Without socat the bus and the valve are
 * served on loopback TCP instead ({@link #serial()} says which), so everything still runs.
 */
public final class SimulatedFurnace implements AutoCloseable {
    /** How long the butterfly valve takes for any move. */
    public static final Duration VALVE_MOVE_TIME = Duration.ofSeconds(1);

    private final boolean serial;
    private final MockInstrument bus;
    private final MockInstrument valve;
    private final MockInstrument aio;
    private final MockBusDevice mfc1;
    private final MockBusDevice mfc2;

    // the valve's move, read by the pressure model; guarded by this
    private double moveFrom = 20;
    private double moveTo = 20;
    private long moveStart = System.nanoTime() - VALVE_MOVE_TIME.toNanos();

    private SimulatedFurnace(boolean serial) {
        this.serial = serial;
        MockInstrument b = null;
        MockInstrument v = null;
        MockInstrument a = null;
        try {
            b = serial ? MockInstrument.pty() : MockInstrument.tcp();
            v = serial ? MockInstrument.pty() : MockInstrument.tcp();
            a = MockInstrument.tcp();
        } catch (RuntimeException e) {
            closeAll(b, v, a);
            throw e;
        }
        bus = b;
        valve = v;
        aio = a;
        mfc1 = massFlowController("A", "AR", 20.0);
        mfc2 = massFlowController("B", "H2", 5.0);
        valve.responder(this::valveCommand);
        aio.responder(this::aioCommand);
    }

    /** Starts the simulated instruments: on ptys when socat is installed, else all on loopback TCP. */
    public static SimulatedFurnace start() {
        return new SimulatedFurnace(MockInstrument.socatAvailable());
    }

    /** Starts the simulated instruments with the bus and the valve on loopback TCP, socat or not. */
    public static SimulatedFurnace startOnTcp() {
        return new SimulatedFurnace(false);
    }

    /** Whether the bus and the valve are on serial ptys (true) or on loopback TCP (socat missing). */
    public boolean serial() {
        return serial;
    }

    /** The RS485 bus of the two flow controllers, e.g. {@code serial:/dev/pts/4?baud=19200}. */
    public String busEndpoint() {
        return serial ? bus.endpoint() + "?baud=19200" : bus.endpoint();
    }

    /** The butterfly valve, e.g. {@code serial:/dev/pts/6?baud=9600}. */
    public String valveEndpoint() {
        return serial ? valve.endpoint() + "?baud=9600" : valve.endpoint();
    }

    /** The analog I/O box, {@code tcp://127.0.0.1:<port>}. */
    public String aioEndpoint() {
        return aio.endpoint();
    }

    /** The three endpoints, for {@link FurnaceServer#start}. */
    public FurnaceServer.Endpoints endpoints() {
        return new FurnaceServer.Endpoints(busEndpoint(), valveEndpoint(), aioEndpoint());
    }

    /** The simulated valve as a mock, to check what it was sent. */
    public MockInstrument valve() {
        return valve;
    }

    /** The simulated flow controller at {@code address} ("A" or "B"), to check what it was sent. */
    public MockBusDevice massFlowController(String address) {
        return switch (address) {
            case "A" -> mfc1;
            case "B" -> mfc2;
            default -> throw new IllegalArgumentException("no flow controller at address \"" + address + "\" (A, B)");
        };
    }

    private MockBusDevice massFlowController(String address, String gas, double setpoint) {
        MockBusDevice d = bus.busDevice(address);
        d.dictionary().set("SP", format("%.1f", setpoint)).set("GAS", gas);
        d.responder(cmd -> cmd.equals("FLOW?") ? MockReply.line(format("%+.2f", flow(d))) : null);
        return d;
    }

    private static double flow(MockBusDevice d) {
        double setpoint;
        try {
            setpoint = Double.parseDouble(d.dictionary().get("SP"));
        } catch (NumberFormatException e) {
            setpoint = 0; // "SP abc": a real controller would refuse it and close its valve
        }
        return setpoint * (1 + 0.002 * ThreadLocalRandom.current().nextGaussian());
    }

    private MockReply valveCommand(String command) {
        if (command.equals("POS?")) {
            return MockReply.line(format("%.1f", valvePosition(System.nanoTime())));
        }
        if (command.startsWith("MOVE ")) {
            double target;
            try {
                target = Double.parseDouble(command.substring(5).strip());
            } catch (NumberFormatException e) {
                return MockReply.line("ERR position is not a number: " + command.substring(5));
            }
            if (!(target >= 0 && target <= 100)) {
                return MockReply.line("ERR position must be 0 to 100 %: " + command.substring(5));
            }
            synchronized (this) {
                long now = System.nanoTime();
                moveFrom = valvePosition(now);
                moveTo = target;
                moveStart = now;
            }
            return MockReply.line("OK").delay(VALVE_MOVE_TIME);
        }
        return MockReply.line("ERR unknown command: " + command);
    }

    private MockReply aioCommand(String command) {
        if (!command.startsWith("AI? ")) {
            return MockReply.line("ERR unknown command: " + command);
        }
        String arg = command.substring(4).strip();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return switch (arg) {
            case "0" -> MockReply.line(format("%.3E", pressure(System.nanoTime()) * (1 + 0.003 * random.nextGaussian())));
            case "1" -> MockReply.line(format("%.1f", 850 + 0.4 * random.nextGaussian()));
            case "2", "3", "4", "5", "6", "7" -> MockReply.line(format("%.4f", 0.001 * random.nextGaussian()));
            default -> MockReply.line("ERR no analog input " + arg + " (0 to 7)");
        };
    }

    /** The valve's opening in % at {@code now}: a linear turn from the old to the new position. */
    synchronized double valvePosition(long now) {
        double done = Math.min(1.0, (now - moveStart) / (double) VALVE_MOVE_TIME.toNanos());
        return moveFrom + (moveTo - moveFrom) * done;
    }

    /** Chamber pressure in mbar: base pressure plus the gas load over the valve's conductance. */
    double pressure(long now) {
        double load = flow(mfc1) + flow(mfc2);
        double open = valvePosition(now) / 100;
        double conductance = 0.02 + 2.0 * open * open;
        return 0.005 + 0.05 * load / conductance;
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }

    private static void closeAll(MockInstrument... mocks) {
        for (MockInstrument m : mocks) {
            if (m != null) {
                m.close();
            }
        }
    }

    /** Stops every simulated instrument. */
    @Override
    public void close() {
        closeAll(bus, valve, aio);
    }

    @Override
    public String toString() {
        return "SimulatedFurnace[bus " + busEndpoint() + ", valve " + valveEndpoint() + ", aio " + aioEndpoint() + "]";
    }
}
