package dev.labwire.cli;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Request;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labwire shell <endpoint>}: one command per line, replies printed as they come. On a terminal: JLine line
 * editing, history in {@code ~/.labwire_history}, Tab completion of the {@code :} commands and common IEEE 488.2
 * commands. From a pipe or a paste, every line is run in order; the exit code is then 1 when any line failed.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"An interactive session with an instrument: type a command, see the reply.",
                "A line with '?' is a query, any other is written. Lines starting with ':' are the shell's own "
                        + "(:help lists them). Pasting many lines runs them in order."},
        footer = {"", "Example:", "  labwire shell tcp://192.168.1.50:5025"})
final class ShellCommand implements Callable<Integer> {

    static final List<String> SHELL_COMMANDS = List.of(":help", ":timeout", ":term", ":hex", ":block", ":trace",
            ":stb", ":clear", ":quit");
    static final List<String> COMMON_SCPI = List.of("*IDN?", "*RST", "*CLS", "*OPC?", "*OPC", "*STB?", "*ESR?",
            "*SRE", "*ESE", "*TST?", "*WAI", "*TRG", "SYST:ERR?", "SYSTem:ERRor?", "SYST:VERS?", "MEAS:VOLT?",
            "MEAS:CURR?");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ENDPOINT", description = "tcp://host[:port], serial:/dev/ttyUSB0, ...")
    String endpoint;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "5s",
            description = "for connecting and per command (default ${DEFAULT-VALUE}); :timeout changes it")
    Duration timeout;

    @Option(names = "--term", paramLabel = "TERMINATOR",
            description = "what ends a command on the wire (default \\n); :term changes it")
    String terminator;

    /** The largest block {@code :block} accepts (256 MiB). */
    static final int MAX_BLOCK = 1 << 28;

    private BlockingClient client;
    private boolean hex;
    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        String term = terminator == null ? null : Clients.unescape(terminator);
        client = Clients.open(endpoint, timeout, term);
        try {
            boolean console = System.console() != null && Io.in() == System.in;
            return console ? interactive() : script();
        } finally {
            client.close();
            WireLog.set(client.endpoint(), false);
        }
    }

    private int interactive() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("labwire")
                    .completer(new StringsCompleter(concat(SHELL_COMMANDS, COMMON_SCPI)))
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".labwire_history"))
                    .build();
            out = terminal.writer();
            err = terminal.writer();
            out.println("connected to " + endpoint + " (:help for the shell's commands, Ctrl-D to leave)");
            while (true) {
                String line;
                try {
                    line = reader.readLine("labwire> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C drops the line being typed
                } catch (EndOfFileException e) {
                    return 0;
                }
                // a paste of several lines arrives as one (bracketed paste): run them in order
                for (String one : line.split("\\R")) {
                    if (!runLine(one)) {
                        return 0;
                    }
                }
                terminal.flush();
            }
        }
    }

    private int script() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Io.in(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (!runLine(line)) {
                break;
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : Main.FAILED;
    }

    private int failures; // lines that failed

    /** Runs one line; false to leave the shell. */
    boolean runLine(String raw) {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
            return true;
        }
        try {
            if (line.startsWith(":")) {
                return shellCommand(line);
            }
            if (line.indexOf('?') >= 0) {
                var reply = client.request(Request.query(line).withTimeout(timeout));
                out.print(hex ? Hex.dump(reply.frame().toByteArray()) : reply.text() + "\n");
            } else {
                client.write(line, timeout);
            }
        } catch (RuntimeException e) {
            failures++;
            err.println("error: " + Failures.describe(e));
        }
        out.flush();
        return true;
    }

    private boolean shellCommand(String line) {
        String[] w = line.split("\\s+", 2);
        String arg = w.length > 1 ? w[1].strip() : "";
        switch (w[0]) {
            case ":quit", ":exit", ":q" -> {
                return false;
            }
            case ":help", ":h", ":?" -> out.print(String.join("\n",
                    ":timeout [DURATION]  show or set the per-command timeout (" + Durations.format(timeout) + ")",
                    ":term [TERMINATOR]   show or set what ends a command: \\n, \\r\\n, CRLF, CR, LF (reconnects)",
                    ":hex [on|off]        replies as hex dumps",
                    ":block COMMAND [> FILE] a query answered by an IEEE 488.2 block: its size and hex, or into FILE",
                    ":trace [on|off]      the wire log: every chunk written (>>) and read (<<), on standard error",
                    ":stb                 read the status byte (*STB? on raw SCPI)",
                    ":clear               device clear",
                    ":quit                leave (or Ctrl-D)",
                    "") + "\n");
            case ":timeout" -> {
                if (!arg.isEmpty()) {
                    timeout = Durations.parse(arg);
                }
                out.println("timeout " + Durations.format(timeout));
            }
            case ":term" -> {
                if (!arg.isEmpty()) {
                    String term = Clients.unescape(arg);
                    boolean tracing = WireLog.isOn(client.endpoint());
                    client.close();
                    client = Clients.open(endpoint, timeout, term);
                    terminator = arg;
                    WireLog.set(client.endpoint(), tracing);
                }
                out.println("terminator " + (terminator == null ? "\\n" : terminator));
            }
            case ":hex" -> {
                hex = arg.isEmpty() ? !hex : onOff(arg);
                out.println("hex " + (hex ? "on" : "off"));
            }
            case ":trace" -> {
                boolean on = arg.isEmpty() ? !WireLog.isOn(client.endpoint()) : onOff(arg);
                WireLog.set(client.endpoint(), on);
                out.println("trace " + (on ? "on" : "off") + " (logger " + WireLog.loggerName(client.endpoint())
                        + ")");
            }
            case ":stb" -> {
                int stb = client.readStatusByte();
                out.println(stb + "  (bits: " + statusBits(stb) + ")");
            }
            case ":clear" -> {
                client.clear();
                out.println("cleared");
            }
            case ":block" -> block(arg);
            default -> {
                failures++;
                err.println("error: unknown shell command " + w[0] + "; :help lists them");
            }
        }
        return true;
    }

    private void block(String arg) {
        if (arg.isEmpty()) {
            throw new IllegalArgumentException(":block needs a command, e.g. :block CURV? curve.bin");
        }
        // ":block CURV? > curve.bin" keeps the data in a file
        String command = arg;
        String file = null;
        int gt = arg.lastIndexOf('>');
        if (gt >= 0) {
            command = arg.substring(0, gt).strip();
            file = arg.substring(gt + 1).strip();
            if (file.isEmpty() || command.isEmpty()) {
                throw new IllegalArgumentException("use :block COMMAND > FILE, e.g. :block CURV? > curve.bin");
            }
        }
        byte[] data = client.queryBlock(command, MAX_BLOCK, timeout);
        if (file != null) {
            try {
                Files.write(Path.of(file), data);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
            }
            out.println(data.length + " bytes written to " + file);
        } else {
            out.println(data.length + " bytes");
            out.print(Hex.dump(data.length > 256 ? Arrays.copyOf(data, 256) : data));
            if (data.length > 256) {
                out.println("... (" + (data.length - 256) + " more bytes; :block " + command + " > FILE keeps them)");
            }
        }
    }

    private static boolean onOff(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("expected on or off, not '" + s + "'");
        };
    }

    /** IEEE 488.2 11.2: the status byte's named bits that are set. */
    static String statusBits(int stb) {
        StringBuilder b = new StringBuilder();
        String[] names = {"bit0", "bit1", "EAV (error queue)", "QUES", "MAV (message available)",
                "ESB (event status)", "MSS/RQS (service request)", "OPER"};
        for (int i = 0; i < 8; i++) {
            if ((stb & (1 << i)) != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(names[i]);
            }
        }
        return b.length() == 0 ? "none set" : b.toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
