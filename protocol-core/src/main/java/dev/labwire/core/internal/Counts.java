package dev.labwire.core.internal;

/**
 * The check of a count setting (frames, bytes, requests) with a lower limit, shared by the core's
 * {@code ConnectionConfig.Builder} and the Netty client's builder so that both say a bad value the same way.
 */
public final class Counts {
    private Counts() {
    }

    /**
     * {@code value}, when at least {@code min}.
     *
     * @throws IllegalArgumentException saying {@code rule} and the value ({@code "<rule>: <value>"}) when it is below
     */
    public static int atLeast(int min, int value, String rule) {
        if (value < min) {
            throw new IllegalArgumentException(rule + ": " + value);
        }
        return value;
    }
}
