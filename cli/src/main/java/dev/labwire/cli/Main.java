package dev.labwire.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code labwire} command. Every subcommand writes its results to standard output and its errors to standard
 * error, and exits 0 on success, 1 when the instrument or link failed (timeout, refused, protocol error) and 2 for
 * a bad command line (unknown option, bad endpoint string).
 *
 * <pre>
 *   labwire ports                                  serial ports, USB ids, whether you may open them
 *   labwire query tcp://192.168.1.50:5025 '*IDN?'  one command; --timeout, --block FILE, --hex
 *   labwire shell tcp://192.168.1.50:5025          a REPL with history, completion and :commands
 *   labwire discover                               instruments on the LAN (mDNS) and serial ports
 *   labwire info                                   JVM, OS, versions, native library, serial permissions
 *   labwire mock                                   a simulated instrument to try all of this on
 *   labwire bench tcp://192.168.1.50:5025          round trips and block throughput
 * </pre>
 */
@Command(name = "labwire", mixinStandardHelpOptions = true, versionProvider = Versions.Provider.class,
        description = "Talk to lab instruments from a terminal.",
        subcommands = {PortsCommand.class, QueryCommand.class, ShellCommand.class, DiscoverCommand.class,
                InfoCommand.class, MockCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Endpoints: tcp://host[:port] (5025 by default), serial:/dev/ttyUSB0?baud=115200, "
                + "serial:usb:0403:6001, TCPIP0::host::5025::SOCKET, ASRL/dev/ttyUSB0::INSTR.",
                "Exit codes: 0 done, 1 the instrument or link failed, 2 bad command line."})
public final class Main implements Runnable {

    /** Exit code: the instrument or the link failed. */
    static final int FAILED = 1;
    /** Exit code: a bad command line (picocli's own code for usage errors). */
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        int code = run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs {@code args} with these streams and returns the exit code. */
    static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        Io.set(in);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (e instanceof IllegalArgumentException) {
                w.println("labwire: " + e.getMessage());
                return USAGE;
            }
            w.println("labwire: " + Failures.describe(e));
            return FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
