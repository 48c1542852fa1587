package dev.labwire.core.scpi;

import dev.labwire.core.RemoteProtocolException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Static helpers for SCPI text: building commands and queries, formatting numbers, and parsing the
 * numeric, Boolean, string and list replies instruments send.
 *
 * <pre>{@code
 * Scpi.command("VOLT", 5.0)                       // "VOLT 5"
 * Scpi.command("APPL:DC", 1, 2.5)                 // "APPL:DC 1,2.5"
 * Scpi.command("OUTP", true)                      // "OUTP 1"
 * Scpi.command("DISP:TEXT", Scpi.quote("a\"b"))   // "DISP:TEXT \"a\"\"b\""
 * Scpi.query("MEAS:VOLT")                         // "MEAS:VOLT?"
 * Scpi.parseNumber("+1.23450E+00")                // 1.2345
 * Scpi.parseNumber("9.9E37")                      // Double.POSITIVE_INFINITY (SCPI-1999 Vol. 1, 7.2.1)
 * Scpi.parseList("\"a,b\", c")                    // ["a,b", "c"]
 * }</pre>
 *
 * <p><b>Failures.</b> A bad argument from the caller (an empty header, a header holding a line
 * terminator or the IEEE 488.2 7.4.1 message unit separator {@code ;}, a NaN or infinite number) is an
 * {@link IllegalArgumentException} naming the value; a {@code null} is a {@link NullPointerException}.
 * Reply text that cannot be parsed is a {@link RemoteProtocolException} (the instrument sent it) whose
 * message quotes the text, escaped and cut after 80 chars.
 */
public final class Scpi {
    /** IEEE 488.2 7.7.2 / 8.7.2-8.7.4 decimal numbers: NR1 {@code -5}, NR2 {@code .5}, NR3 {@code +1.23E+00}. */
    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    /** SCPI-1999 Vol. 1, 7.2.1: the value instruments send for +infinity (and, negated, -infinity). */
    private static final double SCPI_INFINITY = 9.9E37;
    /** SCPI-1999 Vol. 1, 7.2.1: the value instruments send for "not a number". */
    private static final double SCPI_NAN = 9.91E37;
    /** Largest magnitude formatted as a plain integer. */
    private static final double MAX_PLAIN_INTEGER = 1e15;

    private Scpi() {
    }

    /**
     * A command: {@code header}, then one space and the arguments separated by commas (IEEE 488.2 7.4.2
     * program data separator), or the bare header when there are none.
     *
     * <table>
     *   <caption>Argument formats</caption>
     *   <tr><th>argument</th><th>sent as</th><th>e.g.</th></tr>
     *   <tr><td>{@code Double}, {@code Float}, other {@code Number}</td><td>{@link #formatNumber(double)}</td><td>{@code 5.0 -> 5}, {@code 1e-9 -> 1E-9}</td></tr>
     *   <tr><td>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code BigInteger}</td><td>decimal integer</td><td>{@code -12}</td></tr>
     *   <tr><td>{@code BigDecimal}</td><td>{@link BigDecimal#toPlainString()}</td><td>{@code 0.0001}</td></tr>
     *   <tr><td>{@code Boolean}</td><td>{@code 1} / {@code 0}: the numeric form of SCPI-1999 Vol. 1, 7.3
     *       Boolean data, which every instrument accepts (some reject {@code ON}/{@code OFF} for
     *       parameters that are not documented as Boolean)</td><td>{@code true -> 1}</td></tr>
     *   <tr><td>{@code Enum}</td><td>{@link Enum#name()}</td><td>{@code Coupling.AC -> AC}</td></tr>
     *   <tr><td>{@code CharSequence}</td><td>as is, not quoted: use {@link #quote(String)} for string parameters</td><td>{@code MAX}, {@code "\"abc\""}</td></tr>
     * </table>
     *
     * @throws IllegalArgumentException if the header is empty or holds {@code \n}, {@code \r} or {@code ;};
     *         if a number is NaN or infinite; if a text argument holds {@code \n} or {@code \r}; or if an
     *         argument has another type. The message names the argument's index and value.
     * @throws NullPointerException if the header, the array or an argument is {@code null}
     */
    public static String command(String header, Object... args) {
        checkHeader(header);
        Objects.requireNonNull(args, "args");
        if (args.length == 0) {
            return header;
        }
        StringBuilder sb = new StringBuilder(header.length() + 8 * args.length).append(header).append(' ');
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(argument(header, i, args[i]));
        }
        return sb.toString();
    }

    /**
     * A query: {@code header} with {@code ?} appended unless it already ends with one
     * ({@code "*IDN" -> "*IDN?"}, {@code "MEAS:VOLT?" -> "MEAS:VOLT?"}).
     *
     * @throws IllegalArgumentException if the header is empty or holds {@code \n}, {@code \r} or {@code ;}
     */
    public static String query(String header) {
        checkHeader(header);
        return header.endsWith("?") ? header : header + "?";
    }

    /**
     * {@code text} as IEEE 488.2 7.7.5 string program data: in double quotes, embedded double quotes
     * doubled ({@code a"b -> "a""b"}).
     */
    public static String quote(String text) {
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    /**
     * {@code value} as the shortest decimal that reads back as the same double.
     * Integral values with magnitude up to 1e15 have no decimal point ({@code 5.0 -> "5"},
     * {@code -12.0 -> "-12"}, {@code -0.0 -> "0"}); others are plain between 1e-3 and 1e15
     * ({@code "0.001"}, {@code "12345678.5"}) and NR3 with a signed exponent outside it
     * ({@code "1.5E-9"}, {@code "2.5E+20"}, {@code "1E-4"}). The digits are those of
     * {@link Double#toString(double)}, so {@code parseNumber(formatNumber(x)) == x} for every finite
     * {@code x} except the three SCPI special values 9.9E37, -9.9E37 and 9.91E37, which an instrument
     * reads as infinity and NaN.
     *
     * @throws IllegalArgumentException if {@code value} is NaN or infinite (send the SCPI mnemonics
     *         {@code INF}, {@code NINF}, {@code NAN} as text where an instrument supports them)
     */
    public static String formatNumber(double value) {
        requireFinite(value, "value");
        if (value == Math.rint(value) && Math.abs(value) <= MAX_PLAIN_INTEGER) {
            return Long.toString((long) value);
        }
        return decimal(Double.toString(value));
    }

    /** {@code value} in decimal ({@code "-12"}). */
    public static String formatNumber(long value) {
        return Long.toString(value);
    }

    /** {@code value} in decimal ({@code "-12"}). */
    public static String formatNumber(int value) {
        return Integer.toString(value);
    }

    /**
     * One number from a reply: IEEE 488.2 NR1 ({@code -5}), NR2 ({@code .5}, {@code 2.}) or NR3
     * ({@code +1.23E+00}, {@code 1e3}), surrounding whitespace ignored, no suffix or unit.
     * SCPI-1999 Vol. 1, 7.2.1 special values map to doubles: {@code 9.9E37} to
     * {@link Double#POSITIVE_INFINITY}, {@code -9.9E37} to {@link Double#NEGATIVE_INFINITY},
     * {@code 9.91E37} to {@link Double#NaN}; so do the words {@code INF} / {@code +INF},
     * {@code -INF} / {@code NINF} and {@code NAN}, in any case.
     *
     * @throws RemoteProtocolException quoting the text, for anything else: empty text, units
     *         ({@code 5V}), Java-only forms ({@code 0x10}, {@code 1_000}, {@code Infinity}, {@code 1d}),
     *         or a value beyond the range of a double ({@code 1E999})
     */
    public static double parseNumber(String text) {
        String t = text.trim();
        if (NUMBER.matcher(t).matches()) {
            double v = Double.parseDouble(t);
            if (v == SCPI_INFINITY) {
                return Double.POSITIVE_INFINITY;
            } else if (v == -SCPI_INFINITY) {
                return Double.NEGATIVE_INFINITY;
            } else if (v == SCPI_NAN) {
                return Double.NaN;
            } else if (Double.isInfinite(v)) {
                throw new RemoteProtocolException("number out of double range: " + Text.quoted(text));
            }
            return v;
        }
        switch (t.toUpperCase(Locale.ROOT)) {
            case "INF", "+INF":
                return Double.POSITIVE_INFINITY;
            case "-INF", "NINF":
                return Double.NEGATIVE_INFINITY;
            case "NAN":
                return Double.NaN;
            default:
                throw new RemoteProtocolException("not a SCPI number: " + Text.quoted(text));
        }
    }

    /**
     * A comma-separated list of numbers, each as {@link #parseNumber(String)} reads it
     * ({@code "1,2.5,-3E-3"}). Empty or blank text is an empty array.
     *
     * @throws RemoteProtocolException naming the index and text of the first bad element
     *         ({@code "1,,2"} fails at element 1)
     */
    public static double[] parseNumbers(String csv) {
        if (csv.isBlank()) {
            return new double[0];
        }
        String[] parts = csv.split(",", -1);
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = parseNumber(parts[i]);
            } catch (RemoteProtocolException e) {
                throw new RemoteProtocolException("element " + i + " of " + parts.length + " in number list "
                        + Text.quoted(csv) + " is bad: " + e.getMessage(), e);
            }
        }
        return values;
    }

    /**
     * A comma-separated list of items, split on commas outside double-quoted strings. Unquoted items
     * are trimmed; an item that is one IEEE 488.2 8.7.8 string ({@code "a,b"}, surrounding whitespace
     * allowed) is unquoted, doubled quotes becoming one. Anything else is kept as is, trimmed.
     * Empty or blank text is an empty list; {@code "a,"} is {@code ["a", ""]}. The list is unmodifiable.
     *
     * <pre>{@code
     * parseList("CH1, \"my \"\"wave\"\", v2\",5")   // ["CH1", "my \"wave\", v2", "5"]
     * }</pre>
     *
     * @throws RemoteProtocolException if a double quote is never closed, quoting the text
     */
    public static List<String> parseList(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        boolean inQuotes = false;
        int opened = -1;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                // a doubled quote inside a string closes and reopens it, which leaves the state unchanged
                inQuotes = !inQuotes;
                opened = i;
            } else if (c == ',' && !inQuotes) {
                items.add(listItem(text.substring(start, i)));
                start = i + 1;
            }
        }
        if (inQuotes) {
            throw new RemoteProtocolException("unterminated string (quote at index " + opened + ") in list "
                    + Text.quoted(text));
        }
        items.add(listItem(text.substring(start)));
        return List.copyOf(items);
    }

    /**
     * A Boolean reply: {@code 1} / {@code ON} is true, {@code 0} / {@code OFF} is false, in any case,
     * surrounding whitespace ignored (SCPI-1999 Vol. 1, 7.3; instruments answer with {@code 1}/{@code 0}).
     *
     * @throws RemoteProtocolException quoting the text, for anything else
     */
    public static boolean parseBoolean(String text) {
        switch (text.trim().toUpperCase(Locale.ROOT)) {
            case "1", "ON":
                return true;
            case "0", "OFF":
                return false;
            default:
                throw new RemoteProtocolException("not a SCPI Boolean (1, 0, ON or OFF): " + Text.quoted(text));
        }
    }

    /**
     * {@code text} trimmed and, if it is then enclosed in double quotes (IEEE 488.2 8.7.8) or single quotes
     * (7.7.5), without them and with the doubled enclosing quote undoubled: {@code "a""b" -> a"b},
     * {@code 'it''s' -> it's}. Text that is not quoted comes back trimmed. Never fails: a stray
     * undoubled quote inside is kept.
     */
    public static String unquote(String text) {
        String t = text.trim();
        if (t.length() >= 2) {
            char q = t.charAt(0);
            if ((q == '"' || q == '\'') && t.charAt(t.length() - 1) == q) {
                String s = String.valueOf(q);
                return t.substring(1, t.length() - 1).replace(s + s, s);
            }
        }
        return t;
    }

    /**
     * Refuses a header that would not be one program message unit: empty, or holding a line terminator
     * (IEEE 488.2 7.5) or a message unit separator {@code ;} (7.4.1).
     */
    static void checkHeader(String header) {
        Objects.requireNonNull(header, "header");
        if (header.isBlank()) {
            throw new IllegalArgumentException("header is empty: " + Text.quoted(header));
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '\n' || c == '\r' || c == ';') {
                throw new IllegalArgumentException("header " + Text.quoted(header) + " holds "
                        + (c == ';' ? "';'" : c == '\n' ? "'\\n'" : "'\\r'") + " at index " + i
                        + "; send one command per call");
            }
        }
    }

    private static String argument(String header, int index, Object arg) {
        if (arg == null) {
            throw new NullPointerException("argument " + index + " of " + header + " is null");
        } else if (arg instanceof Double || arg instanceof Float) {
            double d = ((Number) arg).doubleValue();
            requireFinite(d, "argument " + index + " of " + header);
            return arg instanceof Float f ? formatFloat(f) : formatNumber(d);
        } else if (arg instanceof Integer || arg instanceof Long || arg instanceof Short || arg instanceof Byte) {
            return Long.toString(((Number) arg).longValue());
        } else if (arg instanceof BigInteger b) {
            return b.toString();
        } else if (arg instanceof BigDecimal b) {
            return b.toPlainString();
        } else if (arg instanceof Number n) {
            double d = n.doubleValue();
            requireFinite(d, "argument " + index + " of " + header);
            return formatNumber(d);
        } else if (arg instanceof Boolean b) {
            return b ? "1" : "0";
        } else if (arg instanceof Enum<?> e) {
            return e.name();
        } else if (arg instanceof CharSequence cs) {
            String s = cs.toString();
            if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("argument " + index + " of " + header
                        + " holds a line terminator: " + Text.quoted(s));
            }
            return s;
        }
        throw new IllegalArgumentException("argument " + index + " of " + header + " has unsupported type "
                + arg.getClass().getName() + ": " + arg + " (use a Number, Boolean, Enum or CharSequence)");
    }

    private static void requireFinite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " is not a finite number: " + value);
        }
    }

    /** A float by its own shortest digits, so {@code 0.1f} is {@code 0.1}, not {@code 0.10000000149011612}. */
    private static String formatFloat(float value) {
        if (value == Math.rint(value) && Math.abs(value) <= MAX_PLAIN_INTEGER) {
            return Long.toString((long) value);
        }
        return decimal(Float.toString(value));
    }

    /** Java's {@code toString} digits of a non-integral or large value, as plain or NR3 text. */
    private static String decimal(String javaDigits) {
        int e = javaDigits.indexOf('E');
        if (e < 0) {
            return javaDigits;
        }
        int exponent = Integer.parseInt(javaDigits.substring(e + 1));
        if (exponent >= 0 && exponent < 15) {
            return new BigDecimal(javaDigits).toPlainString();
        }
        String mantissa = javaDigits.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        return mantissa + (exponent < 0 ? "E-" : "E+") + Math.abs(exponent);
    }

    private static String listItem(String raw) {
        String t = raw.trim();
        if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
            return t.substring(1, t.length() - 1).replace("\"\"", "\"");
        }
        return t;
    }
}
