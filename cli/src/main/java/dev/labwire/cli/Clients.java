package dev.labwire.cli;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.time.Duration;

/** Opens the client the commands use: connected before the first command, or failing with the reason. */
final class Clients {
    private Clients() {}

    /**
     * A client on {@code endpoint}, ready within {@code timeout}.
     *
     * @throws IllegalArgumentException for a bad endpoint string (exit code 2)
     * @throws dev.labwire.core.LinkDownException when it cannot connect (refused, no such port, busy, ...)
     */
    static BlockingClient open(String endpoint, Duration timeout, String terminator) {
        Endpoint.parse(endpoint); // a bad string is a usage error, named before anything is opened
        ConnectionConfig.Builder config = ConnectionConfig.builder()
                .defaultTimeout(timeout)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(3)) < 0 ? timeout : Duration.ofSeconds(3));
        if (terminator != null) {
            config.writeTerminator(terminator);
        }
        return BlockingClient.openAndAwait(endpoint, config.build(), timeout);
    }

    /** {@code \r\n} typed as {@code \\r\\n} (or {@code CRLF}, {@code LF}, {@code CR}) to the bytes. */
    static String unescape(String s) {
        switch (s.toUpperCase(java.util.Locale.ROOT)) {
            case "CRLF":
                return "\r\n";
            case "LF":
                return "\n";
            case "CR":
                return "\r";
            default:
                break;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case '\\' -> b.append('\\');
                    default -> throw new IllegalArgumentException("bad escape '\\" + n + "' in '" + s
                            + "'; use \\r, \\n, \\t, \\\\ or CRLF, LF, CR");
                }
            } else {
                b.append(c);
            }
        }
        if (b.length() == 0) {
            throw new IllegalArgumentException("empty terminator; use e.g. \\n or \\r\\n");
        }
        return b.toString();
    }
}
