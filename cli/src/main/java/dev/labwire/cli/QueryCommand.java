package dev.labwire.cli;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code labwire query <endpoint> '<command>'}: one command, its reply on standard output. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Send one command and print the reply. A command with '?' is a query (one reply line is "
                + "read), any other is written and nothing is read.",
                "Fails (exit 1, the reason on standard error) when the link cannot be made or no whole reply comes "
                        + "in time."},
        footer = {"", "Examples:", "  labwire query tcp://192.168.1.50:5025 '*IDN?'",
                "  labwire query tcp://192.168.1.50 'CURV?' --block curve.bin",
                "  labwire query serial:/dev/ttyUSB0?baud=115200 'MEAS:VOLT?' --timeout 500ms --hex"})
final class QueryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ENDPOINT", description = "tcp://host[:port], serial:/dev/ttyUSB0, ...")
    String endpoint;

    @Parameters(index = "1", paramLabel = "COMMAND", description = "e.g. '*IDN?' or 'VOLT 5'")
    String command;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "5s",
            description = "for connecting and for the reply (default ${DEFAULT-VALUE}); 500ms, 2s, 1m")
    Duration timeout;

    @Option(names = "--block", paramLabel = "FILE",
            description = "the reply is an IEEE 488.2 block (#<n><len><data>): write its data to FILE ('-': "
                    + "standard output)")
    String blockFile;

    @Option(names = "--max-block", paramLabel = "BYTES", defaultValue = "67108864",
            description = "the largest block accepted (default ${DEFAULT-VALUE}, at most 1073741824)")
    int maxBlock;

    @Option(names = "--hex", description = "print the reply (or block) as a hex dump")
    boolean hex;

    @Option(names = "--term", paramLabel = "TERMINATOR",
            description = "what ends a command on the wire (default \\n); \\r\\n, CRLF, CR, LF")
    String terminator;

    @Override
    public Integer call() {
        String term = terminator == null ? null : Clients.unescape(terminator);
        try (BlockingClient client = Clients.open(endpoint, timeout, term)) {
            var out = spec.commandLine().getOut();
            if (blockFile != null) {
                byte[] data = client.queryBlock(command, maxBlock, timeout);
                if (blockFile.equals("-")) {
                    if (hex) {
                        out.print(Hex.dump(data));
                        out.flush();
                    } else {
                        out.flush();
                        writeRaw(System.out, data);
                    }
                } else {
                    Files.write(Path.of(blockFile), data);
                    if (hex) {
                        out.print(Hex.dump(data));
                    }
                    spec.commandLine().getErr().println(data.length + " bytes written to " + blockFile);
                }
            } else if (command.indexOf('?') >= 0) {
                var reply = client.request(Request.query(command).withTimeout(timeout));
                if (hex) {
                    out.print(Hex.dump(reply.frame().toByteArray()));
                } else {
                    out.println(reply.text());
                }
            } else {
                client.write(command, timeout);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + blockFile + ": " + e.getMessage(), e);
        }
    }

    private static void writeRaw(OutputStream s, byte[] data) {
        try {
            s.write(data);
            s.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
