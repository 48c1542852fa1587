package dev.labwire.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * A query the gateway runs every {@code period} and publishes, retained, on
 * {@code <prefix>/<instrument>/value/<name>} with its text, the number parsed from it (SCPI number syntax, when it
 * parses), the unit and a timestamp. A poll waits in the instrument's queue like any request (it never interleaves
 * with remote callers); a poll still running when its next period comes is skipped, not stacked. A failed poll
 * publishes nothing (the status topic says why the link is down) and is counted.
 *
 * @param name   the value's topic level: letters, digits, {@code _ - .}
 * @param command the query, e.g. {@code MEAS:VOLT?}
 * @param period how often, at least 10 ms
 * @param unit   the unit written with the value (e.g. {@code V}), or null
 */
public record Poll(String name, String command, Duration period, String unit) {
    /** Validates: IllegalArgumentException naming the bad field. */
    public Poll {
        checkName(name, "poll name");
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) throw new IllegalArgumentException("poll " + name + ": empty command");
        Objects.requireNonNull(period, "period");
        if (period.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("poll " + name + ": period " + period + " is shorter than 10 ms");
        }
    }

    static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.length() > 64) {
            throw new IllegalArgumentException(what + " \"" + name + "\" must be 1..64 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-' || c == '.')) {
                throw new IllegalArgumentException(what + " \"" + name + "\": character '" + c + "' at index " + i
                        + " is not allowed (letters, digits, _ - .)");
            }
        }
        return name;
    }
}
