package dev.labwire.core.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A byte-level fake instrument for core tests: it cuts what it receives into {@code \n}-terminated
 * commands, records them, and asks a responder what to answer. Answers are held in an outbox until the
 * test (through {@link Pair}) delivers them, so a test decides when a reply is late.
 */
public final class ScriptedInstrument {
    private final StringBuilder partial = new StringBuilder();
    private final List<String> commands = new ArrayList<>();
    private final ByteArrayOutputStream outbox = new ByteArrayOutputStream();
    private Function<String, String> responder;
    private boolean holding;

    /** An instrument answering with {@code responder}: command text to reply bytes (ISO-8859-1, terminator included), or null for no reply. */
    public ScriptedInstrument(Function<String, String> responder) {
        this.responder = responder;
    }

    /** A small SCPI device: {@code *IDN?}, {@code *OPC?} -> 1, {@code ECHO? x} -> x, {@code SET}/writes -> nothing. */
    public static ScriptedInstrument scpi() {
        return new ScriptedInstrument(ScriptedInstrument::scpiAnswer);
    }

    /** The answers of {@link #scpi()}. */
    public static String scpiAnswer(String cmd) {
        if (cmd.contains(";")) { // a compound message: one response message, units joined by ';' (IEEE 488.2 8.4.1)
            StringBuilder sb = new StringBuilder();
            for (String unit : cmd.split(";")) {
                String a = scpiAnswer(unit.strip());
                if (a == null) {
                    return sb.length() == 0 ? null : sb.append('\n').toString();
                }
                sb.append(sb.length() == 0 ? "" : ";").append(a, 0, a.length() - 1);
            }
            return sb.append('\n').toString();
        }
        if (cmd.equals("*IDN?")) {
            return "ACME,PSU-3000,SN42,1.0\n";
        }
        if (cmd.equals("*OPC?")) {
            return "1\n";
        }
        if (cmd.startsWith("ECHO? ")) {
            return cmd.substring(6) + "\n";
        }
        return null;
    }

    public void responder(Function<String, String> responder) {
        this.responder = responder;
    }

    /** While holding, answers stay in the outbox even when the pair pumps. */
    public void hold(boolean holding) {
        this.holding = holding;
    }

    public boolean holding() {
        return holding;
    }

    /** Bytes written by the client. */
    public void receive(ByteBuffer data) {
        while (data.hasRemaining()) {
            char c = (char) (data.get() & 0xFF);
            if (c == '\n') {
                String cmd = partial.toString();
                partial.setLength(0);
                commands.add(cmd);
                String reply = responder.apply(cmd);
                if (reply != null) {
                    outbox.writeBytes(reply.getBytes(StandardCharsets.ISO_8859_1));
                }
            } else {
                partial.append(c);
            }
        }
    }

    /** Puts raw bytes in the outbox (a push, garbage, a late reply). */
    public void push(String raw) {
        outbox.writeBytes(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Takes everything in the outbox. */
    public byte[] takeOutbox() {
        byte[] b = outbox.toByteArray();
        outbox.reset();
        return b;
    }

    public int outboxSize() {
        return outbox.size();
    }

    /** Commands received so far. */
    public List<String> commands() {
        return commands;
    }
}
