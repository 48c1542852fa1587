package dev.labwire.cli;

import dev.labwire.mock.MockInstrument;
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
                "", "Examples:", "  labwire mock --port 5025", "  labwire mock --pty        (a serial port, needs socat)",
                "  labwire mock --device psu.json"})
final class MockCommand implements Callable<Integer> {

    /**
     * What the mock simulates. Adding one is one line: a name, a description and how to start it from the
     * {@link Launch} options. (VXI-11, HiSLIP and Modbus personalities are being built on other branches; each comes
     * here as one line when it lands.)
     */
    enum Personality {
        scpi("an IEEE 488.2/SCPI instrument", l -> l.stream().scpi()),
        bus("an RS485 bus with devices A and B", l -> withBus(l.stream()));

        final String description;
        final Function<Launch, MockInstrument> start;

        Personality(String description, Function<Launch, MockInstrument> start) {
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
        try (MockInstrument mock = personality.start.apply(new Launch(port, pty))) {
            if (device != null) {
                mock.device(device);
            }
            out.println(mock.endpoint());
            out.println("labwire mock: " + personality.description + " at " + mock.endpoint()
                    + (stopOnStdin ? " (until standard input ends)" : " (Ctrl-C to stop)"));
            out.println("try: labwire shell " + mock.endpoint());
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
