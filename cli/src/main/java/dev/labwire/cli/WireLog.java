package dev.labwire.cli;

import org.slf4j.event.Level;

/**
 * The shell's {@code :trace}: turns a client's wire log ({@code dev.labwire.wire.<endpoint>}, README "Seeing the
 * bytes") to TRACE, printed on standard error by the CLI's own SLF4J binding ({@link CliLogging}), and back.
 */
final class WireLog {
    static final String PREFIX = "dev.labwire.wire.";

    private WireLog() {}

    /** The wire logger's name: the endpoint without {@code ?settings}, each run of non-alphanumerics one {@code _}. */
    static String loggerName(String endpoint) {
        int q = endpoint.indexOf('?');
        String s = q < 0 ? endpoint : endpoint.substring(0, q);
        StringBuilder b = new StringBuilder(PREFIX);
        int mark = b.length();
        boolean gap = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                if (gap && b.length() > mark) {
                    b.append('_');
                }
                gap = false;
                b.append(c);
            } else {
                gap = true;
            }
        }
        return b.toString();
    }

    /** Turns the wire log of {@code endpoint} on or off. */
    static void set(String endpoint, boolean on) {
        CliLogging.level(loggerName(endpoint), on ? Level.TRACE : null);
    }

    /** Whether the wire log of {@code endpoint} is on. */
    static boolean isOn(String endpoint) {
        return CliLogging.effective(loggerName(endpoint)).toInt() <= Level.TRACE.toInt();
    }
}
