package dev.labwire.mock;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The reply formats of a {@link MockDevice}'s getters: Python's {@code format} fields, the common part of them. */
final class ReplyFormat {
    private static final Pattern SPEC = Pattern.compile("([<>^]?)([+ -]?)(0?)(\\d*)(?:\\.(\\d+))?([dfFeEgGs]?)");

    private ReplyFormat() {
    }

    /**
     * {@code template} with every <code>{}</code> or <code>{:spec}</code> field replaced by {@code value}, formatted as
     * Python's {@code format} does for {@code d f e g s} with sign, zero, width and precision.
     *
     * @throws IllegalArgumentException for a field this does not support, or a numeric spec and a value that is not
     *     a number
     */
    static String format(String template, String value, DeviceProperty.Type type) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && template.startsWith("{{", i) || c == '}' && template.startsWith("}}", i)) {
                out.append(c);
                i += 2;
                continue;
            }
            if (c == '}') {
                throw new IllegalArgumentException("a lone } in \"" + template + "\" (write }} for one)");
            }
            if (c != '{') {
                out.append(c);
                i++;
                continue;
            }
            int close = template.indexOf('}', i);
            if (close < 0) {
                throw new IllegalArgumentException("a { without } in \"" + template + "\" (write {{ for one)");
            }
            String field = template.substring(i + 1, close);
            if (!field.isEmpty() && !field.startsWith(":")) {
                throw new IllegalArgumentException("only {} and {:spec} fields, not {" + field + "}");
            }
            out.append(field(field.isEmpty() ? "" : field.substring(1), value, type));
            i = close + 1;
        }
        return out.toString();
    }

    private static String field(String spec, String value, DeviceProperty.Type type) {
        if (spec.isEmpty()) {
            return value;
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported format {:" + spec + "}: [<>^][+ -][0][width][.precision]"
                    + "[d f F e E g G s]");
        }
        String align = m.group(1);
        String sign = m.group(2);
        String zero = m.group(3);
        String width = m.group(4);
        String precision = m.group(5);
        char conv = m.group(6).isEmpty() ? (type == DeviceProperty.Type.STR ? 's' : type == DeviceProperty.Type.INT ? 'd' : 'g')
                : m.group(6).charAt(0);
        String body;
        if (conv == 's') {
            body = precision == null ? value : value.substring(0, Math.min(value.length(), Integer.parseInt(precision)));
        } else {
            Object n = DeviceProperty.parse(value, conv == 'd' ? DeviceProperty.Type.INT : DeviceProperty.Type.FLOAT);
            if (n == null && conv == 'd') {
                Object d = DeviceProperty.parse(value, DeviceProperty.Type.FLOAT);
                n = d == null ? null : Math.round((Double) d);
            }
            if (n == null) {
                throw new IllegalArgumentException("{:" + spec + "} needs a number, the value is \"" + value + "\"");
            }
            String flags = (sign.equals("-") ? "" : sign);
            if (conv == 'd') {
                body = String.format(Locale.ROOT, "%" + flags + "d", n);
            } else {
                String j = conv == 'F' ? "f" : String.valueOf(conv);
                body = String.format(Locale.ROOT, "%" + flags + "." + (precision == null ? "6" : precision) + j,
                        ((Number) n).doubleValue());
            }
        }
        int w = width.isEmpty() ? 0 : Integer.parseInt(width);
        if (body.length() >= w) {
            return body;
        }
        String pad;
        if (!zero.isEmpty() && align.isEmpty() && conv != 's') {
            int signLen = body.startsWith("+") || body.startsWith("-") || body.startsWith(" ") ? 1 : 0;
            return body.substring(0, signLen) + "0".repeat(w - body.length()) + body.substring(signLen);
        }
        pad = " ".repeat(w - body.length());
        boolean left = align.equals("<") || align.isEmpty() && conv == 's';
        if (align.equals("^")) {
            int before = pad.length() / 2;
            return pad.substring(0, before) + body + pad.substring(before);
        }
        return left ? body + pad : pad + body;
    }
}
