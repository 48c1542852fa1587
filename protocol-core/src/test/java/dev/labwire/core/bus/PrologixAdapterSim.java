package dev.labwire.core.bus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A Prologix adapter in controller mode as the manual describes its host side, small enough for core tests: cuts the
 * host stream into lines at unescaped CR/LF, ESC makes the next byte literal, {@code ++} lines are commands
 * ({@code addr}, {@code read eoi}, {@code spoll}, the rest logged), other lines are data for the current address
 * ({@code ++eos 3}: nothing appended). An instrument's answer waits until {@code ++read}. Feeds a {@link BusRig}.
 */
final class PrologixAdapterSim implements Function<byte[], byte[]> {
    final Map<Integer, Function<byte[], byte[]>> instruments = new HashMap<>();
    final Map<Integer, Integer> statusBytes = new HashMap<>();
    final Map<Integer, List<byte[]>> received = new HashMap<>();
    final Map<Integer, byte[]> output = new HashMap<>();
    /** Commands as sent, data lines as {@code "<pad> < <text>"}. */
    final List<String> log = new ArrayList<>();
    int addr = -1;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean escaped;
    private boolean startsEscaped;

    PrologixAdapterSim instrument(int pad, Function<byte[], byte[]> responder) {
        instruments.put(pad, responder);
        return this;
    }

    PrologixAdapterSim text(int pad, Function<String, String> responder) {
        return instrument(pad, m -> {
            String s = new String(m, StandardCharsets.ISO_8859_1).strip();
            String r = responder.apply(s);
            return r == null ? null : (r + "\n").getBytes(StandardCharsets.ISO_8859_1);
        });
    }

    @Override
    public byte[] apply(byte[] written) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : written) {
            if (escaped) {
                escaped = false;
                line.write(b);
            } else if (b == 27) {
                escaped = true;
                if (line.size() < 2) {
                    startsEscaped = true;
                }
            } else if (b == '\r' || b == '\n') {
                byte[] l = line.toByteArray();
                boolean command = !startsEscaped && l.length >= 2 && l[0] == '+' && l[1] == '+';
                line.reset();
                startsEscaped = false;
                if (l.length > 0) {
                    take(l, command, out);
                }
            } else {
                line.write(b);
            }
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    private void take(byte[] l, boolean command, ByteArrayOutputStream out) {
        String text = new String(l, StandardCharsets.ISO_8859_1);
        if (!command) {
            log.add(addr + " < " + text);
            received.computeIfAbsent(addr, a -> new ArrayList<>()).add(l);
            Function<byte[], byte[]> i = instruments.get(addr);
            byte[] r = i == null ? null : i.apply(l);
            if (r != null) {
                output.merge(addr, r, BusRig::concat);
            }
            return;
        }
        log.add(text);
        String[] w = text.substring(2).trim().split("\\s+");
        switch (w[0]) {
            case "addr" -> addr = Integer.parseInt(w[1]);
            case "read" -> {
                byte[] o = output.remove(addr);
                if (o != null) {
                    out.writeBytes(o);
                }
            }
            case "spoll" -> {
                Integer s = statusBytes.get(w.length > 1 ? Integer.parseInt(w[1]) : addr);
                if (s != null) {
                    out.writeBytes((s + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
            default -> { }
        }
    }
}
