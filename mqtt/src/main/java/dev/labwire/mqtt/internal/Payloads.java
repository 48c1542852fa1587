package dev.labwire.mqtt.internal;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's payload schema, version 1 (docs/MQTT.md is the contract): request parsing and the reply, status
 * and value documents. Strict: an unknown {@code op}, a missing or mistyped field or a newer {@code v} is an
 * {@link IllegalArgumentException} naming the field, which the gateway turns into a {@code bad_request} reply.
 */
public final class Payloads {
    /** The schema version this code writes and the highest it reads. */
    public static final int VERSION = 1;
    /** Longest command accepted in a request, in characters. */
    public static final int MAX_COMMAND_LENGTH = 4096;

    private Payloads() {
    }

    /** What a request asks for. */
    public enum Op {
        QUERY("query"), WRITE("write"), QUERY_BLOCK("queryBlock");

        public final String wire;

        Op(String wire) {
            this.wire = wire;
        }

        static Op of(String s) {
            for (Op o : values()) {
                if (o.wire.equals(s)) return o;
            }
            throw new IllegalArgumentException("unknown op \"" + s + "\" (expected query, write or queryBlock)");
        }
    }

    /** A parsed request: {@code timeoutMillis} 0 means the instrument's default; {@code deadlineEpochMillis} 0 none. */
    public record ParsedRequest(Op op, String command, long timeoutMillis, long deadlineEpochMillis) {
    }

    /** Parses a request document; throws {@link IllegalArgumentException} naming what is wrong. */
    public static ParsedRequest parseRequest(String json) {
        Map<String, Object> m = Json.parseObject(json);
        for (String k : m.keySet()) {
            if (!k.equals("v") && !k.equals("op") && !k.equals("cmd") && !k.equals("timeoutMs") && !k.equals("deadline")) {
                throw new IllegalArgumentException("unknown field \"" + k + "\" in a request");
            }
        }
        long v = integer(m, "v", true);
        if (v < 1 || v > VERSION) {
            throw new IllegalArgumentException("unsupported schema version " + v + " (this gateway reads 1.." + VERSION + ")");
        }
        Op op = Op.of(string(m, "op"));
        String cmd = string(m, "cmd");
        if (cmd.isEmpty()) throw new IllegalArgumentException("empty \"cmd\"");
        if (cmd.length() > MAX_COMMAND_LENGTH) {
            throw new IllegalArgumentException("\"cmd\" is " + cmd.length() + " characters, more than " + MAX_COMMAND_LENGTH);
        }
        for (int i = 0; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new IllegalArgumentException(String.format("control character 0x%02x at index %d of \"cmd\"", (int) c, i));
            }
        }
        long timeout = m.containsKey("timeoutMs") ? integer(m, "timeoutMs", true) : 0;
        if (timeout < 0 || timeout > 3_600_000) {
            throw new IllegalArgumentException("\"timeoutMs\" " + timeout + " is not in 1..3600000");
        }
        long deadline = m.containsKey("deadline") ? integer(m, "deadline", true) : 0;
        if (deadline < 0) throw new IllegalArgumentException("\"deadline\" " + deadline + " is negative");
        return new ParsedRequest(op, cmd, timeout, deadline);
    }

    private static String string(Map<String, Object> m, String key) {
        Object o = m.get(key);
        if (o == null) throw new IllegalArgumentException("missing \"" + key + "\"");
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string, not a " + Json.typeName(o));
        }
        return s;
    }

    private static long integer(Map<String, Object> m, String key, boolean required) {
        Object o = m.get(key);
        if (o == null) {
            if (required) throw new IllegalArgumentException("missing \"" + key + "\"");
            return 0;
        }
        if (!(o instanceof Long l)) {
            throw new IllegalArgumentException("\"" + key + "\" must be an integer, not " + o);
        }
        return l;
    }

    /** A request document (what {@code RemoteInstrument} sends). */
    public static String request(Op op, String command, long timeoutMillis, long deadlineEpochMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("op", op.wire);
        m.put("cmd", command);
        if (timeoutMillis > 0) m.put("timeoutMs", timeoutMillis);
        if (deadlineEpochMillis > 0) m.put("deadline", deadlineEpochMillis);
        return Json.write(m);
    }

    /** A successful text reply ({@code query}); {@code text} null for a write. */
    public static String okText(Op op, String text, Instant ts) {
        return Json.write(Json.obj("v", VERSION, "ok", true, "op", op.wire, "text", text, "ts", ts.toString()));
    }

    /** A successful block reply: the bytes in base64 (RFC 4648, with padding) and their count. */
    public static String okBytes(byte[] bytes, Instant ts) {
        return Json.write(Json.obj("v", VERSION, "ok", true, "op", Op.QUERY_BLOCK.wire,
                "bytes", Base64.getEncoder().encodeToString(bytes), "length", bytes.length, "ts", ts.toString()));
    }

    /** An error reply: {@code kind} is one of the kinds in docs/MQTT.md. */
    public static String error(String kind, String message, Instant ts) {
        return Json.write(Json.obj("v", VERSION, "ok", false,
                "error", Json.obj("kind", kind, "message", message == null ? kind : message), "ts", ts.toString()));
    }

    /** A status document. {@code ts} may be null (the Last Will, written when the gateway connects). */
    public static String status(String instrument, String state, String endpoint, String detail, Instant ts) {
        return Json.write(Json.obj("v", VERSION, "instrument", instrument, "state", state, "endpoint", endpoint,
                "detail", detail, "ts", ts == null ? null : ts.toString()));
    }

    /**
     * A value document: {@code value} is the number SCPI-parsed from {@code text} when it parses, else absent;
     * {@code unit} may be null.
     */
    public static String value(String instrument, String name, String source, String text, Double value, String unit,
                               Instant ts) {
        return Json.write(Json.obj("v", VERSION, "instrument", instrument, "name", name, "source", source,
                "text", text, "value", value, "unit", unit, "ts", ts.toString()));
    }
}
