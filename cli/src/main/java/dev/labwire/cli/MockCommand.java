package dev.labwire.cli;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.mock.MockHislip;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.Vxi11Options;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labwire mock}: a simulated instrument to try the other commands on, without hardware. */
@Command(name = "mock", mixinStandardHelpOptions = true,
        description = {"Start a simulated instrument (MockInstrument) and serve it until Ctrl-C (or until standard "
                + "input ends, with --stdin).",
                "The first line printed is its endpoint."},
        footer = {"", "Personalities:", "  scpi  an IEEE 488.2/SCPI instrument: *IDN?, *OPC?, SYST:ERR?, VOLT 5 / VOLT?, "
                + "ECHO? text, DATA? n (an n-byte block), *STB?",
                "  bus   an RS485-style bus with devices A and B (AFLOW? gives A+14.70, ASP 50 / ASP?)",
                "  vxi11 the scpi instrument over VXI-11 (its own portmapper; --port 111 as root for VISA tools)",
                "  hislip the scpi instrument over HiSLIP (IVI-6.1)",
                "", "Examples:", "  labwire mock --port 5025", "  labwire mock --pty        (a serial port, needs socat)",
                "  labwire mock --device psu.json"})
final class MockCommand implements Callable<Integer> {

    /**
     * What the mock simulates. Adding one is one line: a name, a description and how to start it from the
     * {@link Launch} options. (A Modbus personality is being built on another branch; it comes here as one line.)
     */
    enum Personality {
        scpi("an IEEE 488.2/SCPI instrument", l -> Served.of(l.stream().scpi())),
        bus("an RS485 bus with devices A and B", l -> Served.of(withBus(l.stream()))),
        vxi11("a VXI-11 instrument (--port: its portmapper's, 111 needs root)", l -> vxi11(l.port())),
        hislip("a HiSLIP instrument (--port: 4880 is HiSLIP's own)", l -> hislip(l.port()));

        final String description;
        final Function<Launch, Served> start;

        Personality(String description, Function<Launch, Served> start) {
            this.description = description;
            this.start = start;
        }
    }

    /** The command line's choices, for a personality to start its mock with. */
    record Launch(int port, boolean pty) {
        /** A byte-stream mock: loopback TCP on {@code port}, or a socat pty pair. */
        MockInstrument stream() {
            return pty ? MockInstrument.pty() : MockInstrument.tcp(port);
        }
    }

    /** A running mock: the instrument, the endpoint that opens it, and what else to close with it. */
    record Served(MockInstrument instrument, String endpoint, AutoCloseable also) implements AutoCloseable {
        static Served of(MockInstrument m) {
            return new Served(m, m.endpoint(), () -> { });
        }

        @Override
        public void close() throws Exception {
            try {
                also.close();
            } finally {
                instrument.close();
            }
        }
    }

    private static Served vxi11(int portmapperPort) {
        MockInstrument m = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(portmapperPort)).scpi();
        return new Served(m, new Endpoint.Vxi11("127.0.0.1", m.portmapperPort(), Endpoint.Vxi11.DEFAULT_DEVICE)
                .toString(), () -> { });
    }

    private static Served hislip(int port) {
        MockInstrument m = MockInstrument.tcp().scpi();
        try {
            MockHislip h = MockHislip.serve(m, port);
            return new Served(m, new Endpoint.Hislip("127.0.0.1", h.port(), Endpoint.Hislip.DEFAULT_SUB_ADDRESS)
                    .toString(), h);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static MockInstrument withBus(MockInstrument m) {
        m.busDevice("A").dictionary().set("FLOW", "+14.70");
        m.busDevice("B").dictionary().set("FLOW", "+3.20");
        return m;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "the loopback TCP port (default: a free one)")
    int port;

    @Option(names = "--personality", paramLabel = "NAME", defaultValue = "scpi",
            description = "what to simulate: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Personality personality;

    @Option(names = "--pty", description = "serve a serial pty pair (socat) instead of TCP")
    boolean pty;

    @Option(names = "--device", paramLabel = "FILE",
            description = "serve this device file (MockDevice JSON: identity, dialogues, properties)")
    Path device;

    @Option(names = "--stdin", description = "stop when standard input ends (for scripts and tests)")
    boolean stopOnStdin;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (pty && (personality == Personality.vxi11 || personality == Personality.hislip)) {
            throw new IllegalArgumentException("--pty serves a byte stream: the scpi or bus personality, not "
                    + personality);
        }
        try (Served served = personality.start.apply(new Launch(port, pty))) {
            if (device != null) {
                served.instrument().device(device);
            }
            out.println(served.endpoint());
            out.println("labwire mock: " + personality.description + " at " + served.endpoint()
                    + (stopOnStdin ? " (until standard input ends)" : " (Ctrl-C to stop)"));
            out.println("try: labwire shell " + served.endpoint());
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "labwire-mock-stop"));
            if (stopOnStdin) {
                Thread t = new Thread(() -> {
                    try {
                        while (Io.in().read() >= 0) {
                            // drain until EOF
                        }
                    } catch (java.io.IOException e) {
                        // EOF by error: stop too
                    }
                    stop.countDown();
                }, "labwire-mock-stdin");
                t.setDaemon(true);
                t.start();
            }
            stop.await();
        }
        return 0;
    }
}
