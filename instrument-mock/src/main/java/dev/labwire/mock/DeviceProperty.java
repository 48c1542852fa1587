package dev.labwire.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One property of a {@link MockDevice}, as its device file describes it: a getter query and the reply's format, a
 * setter command with one value, the specs a value must meet (type, min, max, valid values) and the default. Reads
 * itself from the file ({@link #read}) and checks a value set ({@link #check}). Immutable.
 */
record DeviceProperty(String name, String defaultValue, String getter, String getReply, Pattern setter,
        String setReply, String refusedReply, Type type, Double min, Double max, List<String> valid) {

    /** What a property's values are. */
    enum Type { FLOAT, INT, STR }

    /** The errors a device queues for a refused value, as {@code SYST:ERR?} gives them. */
    record Refusals(String outOfRange, String invalidValue, String dataType) {
    }

    private static final Set<String> PROPERTY = Set.of("default", "getter", "setter", "specs");
    private static final Set<String> GETTER = Set.of("q", "r");
    private static final Set<String> SETTER = Set.of("q", "r", "e");
    private static final Set<String> SPECS = Set.of("type", "min", "max", "valid");
    private static final Pattern FIELD = Pattern.compile("\\{(?::([^{}]*))?\\}");

    /**
     * Reads property {@code name} from its node of the device file.
     *
     * @throws MockDeviceException naming the line and key of what is wrong (as {@link MockDevice#parse})
     */
    static DeviceProperty read(String name, DeviceNode node) {
        Map<String, DeviceNode> p = node.map(PROPERTY, null);
        if (p.get("default") == null || p.get("default").isNull()) {
            throw node.error("a property needs a default value");
        }
        String def = p.get("default").text().strip();
        if (p.get("getter") == null && p.get("setter") == null) {
            throw node.error("a property needs a getter, a setter or both");
        }
        String getter = null;
        String getReply = null;
        if (p.get("getter") != null) {
            Map<String, DeviceNode> g = p.get("getter").map(GETTER, null);
            if (g.get("q") == null) {
                throw p.get("getter").error("a getter needs q, the query");
            }
            getter = MockDevice.command(g.get("q"));
            getReply = MockDevice.optText(g.get("r"), "{}");
        }
        Pattern setter = null;
        String setReply = null;
        String refused = null;
        if (p.get("setter") != null) {
            Map<String, DeviceNode> s = p.get("setter").map(SETTER, null);
            if (s.get("q") == null) {
                throw p.get("setter").error("a setter needs q, the command with {} where the value goes");
            }
            setter = setterPattern(s.get("q"));
            setReply = MockDevice.optText(s.get("r"), null);
            refused = MockDevice.optText(s.get("e"), null);
        }
        Map<String, DeviceNode> specs = p.get("specs") == null ? Map.of() : p.get("specs").map(SPECS, null);
        Double min = specs.get("min") == null ? null : specs.get("min").number();
        Double max = specs.get("max") == null ? null : specs.get("max").number();
        if (min != null && max != null && min > max) {
            throw specs.get("max").error("max " + specs.get("max").text() + " is below min " + specs.get("min").text());
        }
        Type type;
        if (specs.get("type") != null) {
            String t = specs.get("type").text().strip().toLowerCase(Locale.ROOT);
            switch (t) {
                case "float", "double", "number" -> type = Type.FLOAT;
                case "int", "integer" -> type = Type.INT;
                case "str", "string" -> type = Type.STR;
                default -> throw specs.get("type").error("expected float, int or str, got \"" + t + "\"");
            }
        } else {
            type = min != null || max != null ? Type.FLOAT : Type.STR;
        }
        if (type == Type.STR && (min != null || max != null)) {
            throw p.get("specs").error("min and max need type float or int");
        }
        List<String> valid = null;
        if (specs.get("valid") != null) {
            valid = new ArrayList<>();
            for (DeviceNode v : specs.get("valid").list()) {
                String text = v.text().strip();
                if (type != Type.STR && parse(text, type) == null) {
                    throw v.error("not a valid " + type.name().toLowerCase(Locale.ROOT) + ": \"" + text + "\"");
                }
                valid.add(text);
            }
            if (valid.isEmpty()) {
                throw specs.get("valid").error("valid lists no value");
            }
            valid = List.copyOf(valid);
        }
        DeviceProperty prop = new DeviceProperty(name, def, getter, getReply, setter, setReply, refused, type, min, max, valid);
        Check c = prop.check(def, null);
        if (c.error != null) {
            throw p.get("default").error("the default \"" + def + "\" does not meet the specs: " + c.error);
        }
        prop = new DeviceProperty(name, c.value, getter, getReply, setter, setReply, refused, type, min, max, valid);
        if (getReply != null) {
            try {
                ReplyFormat.format(getReply, c.value, type);
            } catch (IllegalArgumentException e) {
                throw p.get("getter").error("r: " + e.getMessage());
            }
        }
        return prop;
    }

    /** The setter's command as a regex: its literal parts (blank runs as any blanks, case ignored), one value. */
    private static Pattern setterPattern(DeviceNode q) {
        String text = MockDevice.command(q);
        Matcher m = FIELD.matcher(text);
        if (!m.find()) {
            throw q.error("a setter's q needs {} where the value goes: \"VOLT {}\"");
        }
        int start = m.start();
        int end = m.end();
        if (m.find()) {
            throw q.error("a setter's q takes one value, one {}");
        }
        return Pattern.compile(literal(text.substring(0, start)) + "(.+?)" + literal(text.substring(end)),
                Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    private static String literal(String s) {
        StringBuilder b = new StringBuilder();
        for (String part : s.split("(?<=\\s)(?=\\S)|(?<=\\S)(?=\\s)")) {
            if (part.isEmpty()) {
                continue;
            }
            b.append(part.isBlank() ? "\\s+" : Pattern.quote(part));
        }
        return b.toString();
    }

    /** The text or number {@code text} as {@code type}: a Double, a Long, the text; null when it is none. */
    static Object parse(String text, Type type) {
        switch (type) {
            case STR:
                return text;
            case INT:
                try {
                    return Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
                } catch (NumberFormatException e) {
                    Double d = (Double) parse(text, Type.FLOAT);
                    return d != null && d == Math.rint(d) && Math.abs(d) < 9e18 ? (Object) d.longValue() : null;
                }
            default:
                try {
                    double d = Double.parseDouble(text);
                    return Double.isFinite(d) && !text.matches(".*[a-zA-Z&&[^eE]].*") ? d : null;
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    /** A checked value: the value to store, or the error that refuses it. */
    record Check(String value, String error) {
    }

    /**
     * {@code text} checked against the specs; a refusal's error is the device's from {@code refusals} (null: a plain
     * description, while loading).
     */
    Check check(String text, Refusals refusals) {
        String value = text;
        if (type != Type.STR) {
            String k = text.toUpperCase(Locale.ROOT);
            if ((k.equals("MIN") || k.equals("MINIMUM")) && min != null) {
                value = number(min, type);
            } else if ((k.equals("MAX") || k.equals("MAXIMUM")) && max != null) {
                value = number(max, type);
            } else if ((k.equals("DEF") || k.equals("DEFAULT")) && refusals != null) {
                return new Check(defaultValue, null);
            }
            Object n = parse(value, type);
            if (n == null) {
                return new Check(null, refusals == null ? "not a " + type.name().toLowerCase(Locale.ROOT)
                        : refusals.dataType());
            }
            double d = ((Number) n).doubleValue();
            if (min != null && d < min || max != null && d > max) {
                return new Check(null, refusals == null ? "outside " + min + " .. " + max : refusals.outOfRange());
            }
            if (valid != null) {
                for (String v : valid) {
                    if (((Number) parse(v, type)).doubleValue() == d) {
                        return new Check(value, null);
                    }
                }
                return new Check(null, refusals == null ? "not one of " + valid : refusals.invalidValue());
            }
            return new Check(value, null);
        }
        if (valid != null) {
            for (String v : valid) {
                if (v.equalsIgnoreCase(value)) {
                    return new Check(v, null);
                }
            }
            return new Check(null, refusals == null ? "not one of " + valid : refusals.invalidValue());
        }
        return new Check(value, null);
    }

    static String number(double d, Type type) {
        if (type == Type.INT || d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
