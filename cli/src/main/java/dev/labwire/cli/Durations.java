package dev.labwire.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Durations on the command line: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 2m}, or a number of seconds. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** @throws IllegalArgumentException naming the value when it is not a non-negative duration */
    static Duration parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        double scale;
        String number;
        if (v.endsWith("ms")) {
            scale = 1e6;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            scale = 1e9;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            scale = 60e9;
            number = v.substring(0, v.length() - 1);
        } else {
            scale = 1e9;
            number = v;
        }
        try {
            double d = Double.parseDouble(number.strip());
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(d * scale));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + value + "'; use e.g. 500ms, 2s, 1.5s, 2m");
        }
    }

    /** {@code 500 ms}, {@code 2 s}, {@code 1.5 s}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : (ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s");
    }
}
