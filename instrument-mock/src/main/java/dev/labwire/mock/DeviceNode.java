package dev.labwire.mock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One value of a device file, JSON or YAML, with the line it starts on: a scalar (its text, numbers and booleans
 * as written), a list, a mapping (keys in file order), or null. Every accessor that finds the wrong thing throws a
 * {@link MockDeviceException} naming the file, the line and the dotted key.
 */
final class DeviceNode {

    final Object value;   // String, List<DeviceNode>, Map<String, DeviceNode>, or null
    final int line;
    final String source;
    final String key;

    DeviceNode(Object value, int line, String source, String key) {
        this.value = value;
        this.line = line;
        this.source = source;
        this.key = key;
    }

    MockDeviceException error(String problem) {
        return new MockDeviceException(source, line, key, problem);
    }

    private String kind() {
        if (value == null) {
            return "nothing (null)";
        }
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        return value instanceof List ? "a list" : "a mapping";
    }

    boolean isNull() {
        return value == null;
    }

    /** The mapping, after checking that it has only {@code known} keys. */
    @SuppressWarnings("unchecked")
    Map<String, DeviceNode> map(Set<String> known, Map<String, String> hints) {
        if (!(value instanceof Map)) {
            throw error("expected a mapping (key: value), got " + kind());
        }
        Map<String, DeviceNode> m = (Map<String, DeviceNode>) value;
        for (Map.Entry<String, DeviceNode> e : m.entrySet()) {
            String k = e.getKey();
            DeviceNode n = e.getValue();
            if (known != null && !known.contains(k)) {
                String hint = hints == null ? null : hints.get(k);
                throw n.error("unknown key" + (hint == null ? "" : " (" + hint + ")") + "; known here: "
                        + String.join(", ", known));
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    List<DeviceNode> list() {
        if (!(value instanceof List)) {
            throw error("expected a list, got " + kind());
        }
        return (List<DeviceNode>) value;
    }

    String text() {
        if (!(value instanceof String s)) {
            throw error("expected a text or number, got " + kind());
        }
        return s;
    }

    double number() {
        String s = text();
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw error("expected a number, got \"" + s + "\"");
        }
    }

    boolean bool() {
        String s = text().strip().toLowerCase(java.util.Locale.ROOT);
        switch (s) {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw error("expected true or false, got \"" + text() + "\"");
        }
    }

    // ---- JSON ----

    /** Parses JSON text (RFC 8259; duplicate keys are refused). */
    static DeviceNode parseJson(String text, String source) {
        Json p = new Json(text, source);
        p.blank();
        DeviceNode n = p.value("");
        p.blank();
        if (p.pos < text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return n;
    }

    private static final class Json {
        final String s;
        final String source;
        int pos;
        int line = 1;

        Json(String s, String source) {
            this.s = s;
            this.source = source;
        }

        MockDeviceException error(String problem) {
            return new MockDeviceException(source, line, "", "invalid JSON: " + problem);
        }

        void blank() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\n') {
                    line++;
                } else if (c != ' ' && c != '\t' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end of the file");
            }
            return s.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "', found '" + peek() + "'");
            }
            pos++;
        }

        DeviceNode value(String key) {
            int at = line;
            char c = peek();
            if (c == '{') {
                pos++;
                Map<String, DeviceNode> m = new LinkedHashMap<>();
                blank();
                if (peek() == '}') {
                    pos++;
                    return new DeviceNode(Collections.unmodifiableMap(m), at, source, key);
                }
                while (true) {
                    blank();
                    if (peek() != '"') {
                        throw error("expected a key in double quotes, found '" + peek() + "'");
                    }
                    int keyLine = line;
                    String k = string();
                    String path = key.isEmpty() ? k : key + "." + k;
                    if (m.containsKey(k)) {
                        throw new MockDeviceException(source, keyLine, path, "duplicate key");
                    }
                    blank();
                    expect(':');
                    blank();
                    m.put(k, value(path));
                    blank();
                    if (peek() == ',') {
                        pos++;
                        continue;
                    }
                    expect('}');
                    return new DeviceNode(Collections.unmodifiableMap(m), at, source, key);
                }
            }
            if (c == '[') {
                pos++;
                List<DeviceNode> l = new ArrayList<>();
                blank();
                if (peek() == ']') {
                    pos++;
                    return new DeviceNode(Collections.unmodifiableList(l), at, source, key);
                }
                while (true) {
                    blank();
                    l.add(value(key + "[" + l.size() + "]"));
                    blank();
                    if (peek() == ',') {
                        pos++;
                        continue;
                    }
                    expect(']');
                    return new DeviceNode(Collections.unmodifiableList(l), at, source, key);
                }
            }
            if (c == '"') {
                return new DeviceNode(string(), at, source, key);
            }
            int start = pos;
            while (pos < s.length() && "{}[],: \t\r\n".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
            String word = s.substring(start, pos);
            if (word.equals("null")) {
                return new DeviceNode(null, at, source, key);
            }
            if (word.equals("true") || word.equals("false")
                    || word.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                return new DeviceNode(word, at, source, key);
            }
            pos = start;
            throw error(word.isEmpty() ? "unexpected '" + c + "'" : "not a JSON value: " + word
                    + " (texts need double quotes)");
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\n') {
                    throw error("a text in double quotes must end on its line");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = peek();
                pos++;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("unexpected end of the file in \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape: \\u" + s.substring(pos, pos + 4));
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape: \\" + e);
                }
            }
        }
    }
}
