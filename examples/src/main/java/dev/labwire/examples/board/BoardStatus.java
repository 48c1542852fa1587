package dev.labwire.examples.board;

import java.util.Objects;

/**
 * One status frame of the streaming board, {@code STAT seq=1234 temp=24.31 adc=517}, with the time it was
 * received.
 *
 * @param seq           the board's frame counter, one more per frame
 * @param temperature   degrees C
 * @param adc           a raw 10-bit reading, 0 to 1023
 * @param receivedNanos when the frame arrived ({@link System#nanoTime()})
 */
public record BoardStatus(long seq, double temperature, int adc, long receivedNanos) {

    /**
     * Parses {@code text}, received at {@code receivedNanos}.
     *
     * @throws IllegalArgumentException when {@code text} is not a status frame, naming it
     */
    public static BoardStatus parse(String text, long receivedNanos) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split(" ");
        if (parts.length != 4 || !parts[0].equals("STAT") || !parts[1].startsWith("seq=")
                || !parts[2].startsWith("temp=") || !parts[3].startsWith("adc=")) {
            throw new IllegalArgumentException("not a status frame \"STAT seq=<n> temp=<t> adc=<a>\": \"" + text + "\"");
        }
        try {
            return new BoardStatus(Long.parseLong(parts[1].substring(4)), Double.parseDouble(parts[2].substring(5)),
                    Integer.parseInt(parts[3].substring(4)), receivedNanos);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in status frame \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /** Milliseconds from receipt to {@code nowNanos}. */
    public double ageMillis(long nowNanos) {
        return (nowNanos - receivedNanos) / 1e6;
    }
}
