package dev.labwire.examples.twoport;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The control port of the two-port device, built on the core's types: the {@link ControlReplyFramer} cuts
 * replies, every command is a {@link Request} expecting one frame, and this class turns the frame into a value
 * or an exception. Replies: {@code OK}, {@code OK =value}, {@code ERR text} ({@link DeviceException}), or a
 * list of {@code !} lines ended by {@code .}. Anything else is a {@link RemoteProtocolException}. Thread-safe.
 */
public final class ControlPort implements AutoCloseable {
    private final BlockingClient client;

    /** Opens the control port at {@code endpoint} with a 2 s timeout per command. */
    public ControlPort(String endpoint) {
        this.client = BlockingClient.open(endpoint, ConnectionConfig.builder()
                .framing(ControlReplyFramer::new)
                .maxFrameLength(4096)
                .defaultTimeout(Duration.ofSeconds(2))
                .build());
    }

    /** Sends a command answered by {@code OK} (returns "") or {@code OK =value} (returns the value). */
    public String command(String command) {
        String r = reply(command);
        if (r.equals("OK")) {
            return "";
        }
        if (r.startsWith("OK =")) {
            return r.substring(4);
        }
        throw new RemoteProtocolException("\"" + command + "\": expected OK or OK =value, got \"" + r + "\"");
    }

    /** Sends a command answered by a {@code !} list; returns its lines without the {@code !}. */
    public List<String> list(String command) {
        String r = reply(command);
        List<String> lines = new ArrayList<>();
        for (String line : r.split("\n", -1)) {
            if (!line.startsWith("!")) {
                throw new RemoteProtocolException("\"" + command + "\": a list line must start with '!': \"" + line + "\"");
            }
            lines.add(line.substring(1));
        }
        return lines;
    }

    private String reply(String command) {
        String r = client.request(Request.of(command, Expect.frame())).frame().asString();
        if (r.startsWith("ERR")) {
            throw new DeviceException(command, r.length() > 4 ? r.substring(4) : "(no text)");
        }
        return r;
    }

    @Override
    public void close() {
        client.close();
    }
}
