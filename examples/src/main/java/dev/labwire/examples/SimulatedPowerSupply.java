package dev.labwire.examples;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An in-memory SCPI power supply for the tour: it takes the bytes a client writes, answers after a
 * simulated processing time, and keeps a small settings dictionary ({@code VOLT 5} then {@code VOLT?}
 * gives {@code 5}). Answers are timestamped on the caller's virtual clock and released by
 * {@link #output(long)} when due, so a slow reply is really late, without sleeping.
 */
final class SimulatedPowerSupply {
    private record Pending(long dueNanos, byte[] bytes) {
    }

    private final StringBuilder partial = new StringBuilder();
    private final ArrayDeque<Pending> outbox = new ArrayDeque<>();
    private final Map<String, String> settings = new HashMap<>(Map.of("VOLT", "0", "CURR", "0.1", "OUTP", "0"));
    private long busyUntil;
    private long slowNextNanos;

    /** The next query takes this long to answer (a slow *OPC? after a long operation). */
    void slowNext(long nanos) {
        slowNextNanos = nanos;
    }

    /** Bytes the client wrote, at virtual time {@code now}. */
    void receive(ByteBuffer data, long now) {
        while (data.hasRemaining()) {
            char c = (char) (data.get() & 0xFF);
            if (c == '\n') {
                handle(partial.toString().trim(), now);
                partial.setLength(0);
            } else {
                partial.append(c);
            }
        }
    }

    /** Everything due by {@code now}, in order; empty when nothing is due. */
    byte[] output(long now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!outbox.isEmpty() && outbox.peekFirst().dueNanos() <= now) {
            out.writeBytes(outbox.pollFirst().bytes());
        }
        return out.toByteArray();
    }

    /** When the next answer is due, or {@code Long.MAX_VALUE}. */
    long nextDue() {
        return outbox.isEmpty() ? Long.MAX_VALUE : outbox.peekFirst().dueNanos();
    }

    /** The link dropped: whatever was not sent is lost. */
    void linkLost() {
        outbox.clear();
        partial.setLength(0);
    }

    private void handle(String cmd, long now) {
        String upper = cmd.toUpperCase(Locale.ROOT);
        long processing = 2_000_000L + slowNextNanos; // 2 ms per command
        slowNextNanos = 0;
        if (!upper.endsWith("?") && !upper.contains("? ")) {
            String[] parts = upper.split("\\s+", 2);
            if (parts.length == 2) {
                settings.put(parts[0], parts[1]);
            }
            return;
        }
        String answer = switch (upper) {
            case "*IDN?" -> "LABWIRE,SIM-PSU-3000,SN0042,1.0";
            case "*OPC?" -> "1";
            case "MEAS:VOLT?" -> String.format(Locale.ROOT, "%+.4E", Double.parseDouble(settings.get("VOLT")) * 0.9998);
            case "MEAS:CURR?" -> String.format(Locale.ROOT, "%+.4E", "1".equals(settings.get("OUTP")) ? 0.0412 : 0.0);
            case "SYST:ERR?" -> "0,\"No error\"";
            default -> settings.getOrDefault(upper.substring(0, upper.length() - 1), null);
        };
        byte[] bytes;
        if (upper.equals("TRAC:DATA?")) {
            byte[] wave = new byte[16];
            for (int i = 0; i < wave.length; i++) {
                wave[i] = (byte) (100 * Math.sin(i * Math.PI / 8));
            }
            String len = Integer.toString(wave.length);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("#" + len.length() + len).getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(wave);
            b.write('\n');
            bytes = b.toByteArray();
        } else if (answer == null) {
            return; // unknown query: a real instrument queues -113 and answers nothing
        } else {
            bytes = (answer + "\n").getBytes(StandardCharsets.US_ASCII);
        }
        busyUntil = Math.max(busyUntil, now) + processing;
        outbox.addLast(new Pending(busyUntil, bytes));
    }
}
