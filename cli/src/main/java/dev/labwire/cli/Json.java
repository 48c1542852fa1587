package dev.labwire.cli;

import java.util.Map;
import java.util.Optional;

/** One-line JSON objects for {@code --json} output (one object per line, so results stream). */
final class Json {
    private final StringBuilder b = new StringBuilder("{");

    Json put(String key, Object value) {
        if (value instanceof Optional<?> o) {
            if (o.isEmpty()) {
                return this;
            }
            value = o.get();
        }
        if (value == null) {
            return this;
        }
        if (b.length() > 1) {
            b.append(',');
        }
        quote(key);
        b.append(':');
        if (value instanceof Number || value instanceof Boolean) {
            b.append(value);
        } else if (value instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(String.valueOf(e.getKey()));
                b.append(':');
                quote(String.valueOf(e.getValue()));
            }
            b.append('}');
        } else {
            quote(value.toString());
        }
        return this;
    }

    private void quote(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    @Override
    public String toString() {
        return b + "}";
    }
}
