package dev.labwire.mock;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A simulated instrument described by a small file, in the spirit of pyvisa-sim: fixed dialogues, properties with a
 * getter, a setter and limits, an identity, a reply terminator and an error queue. Load it onto a mock with
 * {@link MockInstrument#device(Path)}; the mock's {@link ScpiDictionary} then serves it (built-in {@code *IDN?},
 * {@code *RST}, {@code *CLS}, {@code *OPC?}, {@code SYST:ERR?} and compound messages keep working).
 *
 * <pre>
 * # psu.yaml
 * device: Simulated PSU
 * identity: ACME,PSU-1000,SN42,1.2      # the *IDN? answer
 * terminator: "\r\n"                     # ends every reply (default "\n")
 * dialogues:                             # fixed answers, tried first, in order
 *   - q: "*TST?"                         # exact command (case and surrounding blanks ignored)
 *     r: "0"                             # the reply; none when left out
 *   - match: "MEAS:TEMP\\? *(\\d+)"     # or a Java regex on the whole command
 *     r: "+2$1.5E+00"                     # $1: its first group
 *     delay_ms: 50                       # answered 50 ms late
 * properties:
 *   voltage:
 *     default: 0.0                       # the value after loading and after *RST
 *     getter: { q: "VOLT?", r: "{:.3f}" } # "{}" the value as set; Python-style {:.3f} {:+.2E} {:d} {:&gt;8}
 *     setter: { q: "VOLT {}" }           # exactly one {} where the value goes
 *     specs: { type: float, min: 0, max: 30 }
 *   output:
 *     default: "OFF"
 *     getter: { q: "OUTP?" }
 *     setter: { q: "OUTP {}" }
 *     specs: { valid: [ "ON", "OFF" ] }  # the value is stored as listed here ("on" becomes "ON")
 * errors:                                # every key optional
 *   initial: [ '-310,"System error"' ]   # queued when the device is loaded
 *   out_of_range: '-222,"Data out of range"'
 *   invalid_value: '-224,"Illegal parameter value"'
 *   data_type: '-104,"Data type error"'
 * </pre>
 *
 * The same shape in JSON works without any further library ({@code .json}, or text starting with <code>{</code>).
 * YAML ({@code .yaml}, {@code .yml}, anything else) needs {@code org.yaml:snakeyaml} 2.x on the class path, an
 * optional dependency of this module: add it to your test dependencies to load YAML.
 *
 * <h2>How a command is answered</h2>
 * In order: the dialogues ({@code q} or {@code match}, first hit wins), the property getters, the property setters,
 * the built-in commands of {@link ScpiDictionary}. A setter stores the value when it is valid for its
 * {@code specs}: {@code type} {@code float} (default when {@code min} or {@code max} is given), {@code int} or
 * {@code str} (otherwise); {@code min} and {@code max} inclusive; {@code valid} the allowed values (numbers compared
 * as numbers, texts ignoring case). For numbers {@code MIN}, {@code MAX} and {@code DEF} set the limit or the
 * default. A refused value changes nothing, is <em>not answered</em> (as a SCPI instrument) unless the setter has
 * {@code e} (a reply sent instead, as pyvisa-sim does), and queues an error for {@code SYST:ERR?}:
 * {@code out_of_range} outside min/max, {@code invalid_value} not in {@code valid}, {@code data_type} not a number.
 * A setter's {@code r}, if given, is sent after a stored value (e.g. {@code OK}).
 * A command nothing knows gets no reply and queues {@code -113,"Undefined header"}; {@code strict: false} lets the
 * dictionary store unknown {@code HEADER value} settings instead, as without a device.
 *
 * <h2>From pyvisa-sim</h2>
 * One device per file, its body as under pyvisa-sim's {@code devices: <name>:}: {@code dialogues} and
 * {@code properties} (with {@code default}, {@code getter}, {@code setter}, {@code specs}) read the same. Instead of
 * {@code eom} write {@code terminator} (the reply side; the mock reads commands ended by {@code \n}, a {@code \r}
 * before it dropped); instead of pyvisa-sim's {@code error} section, {@code errors} above ({@code SYST:ERR?} is
 * built in). Format fields follow Python's {@code format} for {@code d f e g s} with sign, zero, width and precision
 * (<code>{{</code> and <code>}}</code> for braces); a {@code str} property set to a text its numeric format cannot show is
 * sent as stored.
 *
 * <h2>Failures</h2>
 * {@link #load}, {@link #parse} and {@link #resource} throw {@link MockDeviceException} naming the file, the line, the
 * key and the problem, for a file that cannot be read, bad JSON or YAML, an unknown key, a missing or ill-typed value,
 * a bad regex or format, or a default outside its own specs. Immutable and thread-safe; one device may serve many
 * mocks (each keeps its own values).
 */
public final class MockDevice {

    /** What {@link #answer} returns for a command the device does not know. */
    static final MockReply NOT_MINE = MockReply.none();

    private record Dialogue(String exact, Pattern match, String reply, Duration delay) {
    }

    private static final Set<String> TOP = Set.of("device", "identity", "terminator", "strict", "dialogues",
            "properties", "errors", "version");
    private static final Map<String, String> TOP_HINTS = Map.of("eom", "write terminator: \"\\r\\n\" instead",
            "error", "write errors: instead", "idn", "write identity: instead", "devices",
            "one device per file: its body at the top level", "spec", "write version: 1 or leave it out");
    private static final Set<String> DIALOGUE = Set.of("q", "match", "r", "delay_ms");
    private static final Set<String> ERRORS = Set.of("initial", "out_of_range", "invalid_value", "data_type");

    private final String source;
    private final String name;
    private final String identity;
    private final String terminator;
    private final boolean strict;
    private final List<Dialogue> dialogues;
    private final Map<String, DeviceProperty> properties;
    private final List<String> initialErrors;
    private final DeviceProperty.Refusals refusals;

    private MockDevice(DeviceNode root) {
        this.source = root.source;
        Map<String, DeviceNode> top = root.map(TOP, TOP_HINTS);
        DeviceNode version = top.get("version");
        if (version != null && version.number() != 1) {
            throw version.error("this mock reads version 1 device files");
        }
        this.name = optText(top.get("device"), root.source);
        this.identity = optText(top.get("identity"), null);
        if (identity != null && identity.contains("\n")) {
            throw top.get("identity").error("the identity must be one line");
        }
        String t = optText(top.get("terminator"), "\n");
        if (t.isEmpty()) {
            throw top.get("terminator").error("a reply terminator must not be empty");
        }
        this.terminator = t;
        this.strict = top.get("strict") == null || top.get("strict").bool();
        List<Dialogue> ds = new ArrayList<>();
        if (top.get("dialogues") != null) {
            for (DeviceNode d : top.get("dialogues").list()) {
                ds.add(dialogue(d));
            }
        }
        this.dialogues = List.copyOf(ds);
        Map<String, DeviceProperty> ps = new LinkedHashMap<>();
        if (top.get("properties") != null) {
            for (Map.Entry<String, DeviceNode> e : top.get("properties").map(null, null).entrySet()) {
                ps.put(e.getKey(), DeviceProperty.read(e.getKey(), e.getValue()));
            }
        }
        this.properties = Collections.unmodifiableMap(ps);
        Map<String, DeviceNode> errors = top.get("errors") == null ? Map.of() : top.get("errors").map(ERRORS, null);
        List<String> initial = new ArrayList<>();
        if (errors.get("initial") != null) {
            for (DeviceNode e : errors.get("initial").list()) {
                initial.add(errorText(e));
            }
        }
        this.initialErrors = List.copyOf(initial);
        this.refusals = new DeviceProperty.Refusals(
                errors.get("out_of_range") == null ? "-222,\"Data out of range\"" : errorText(errors.get("out_of_range")),
                errors.get("invalid_value") == null ? "-224,\"Illegal parameter value\""
                        : errorText(errors.get("invalid_value")),
                errors.get("data_type") == null ? "-104,\"Data type error\"" : errorText(errors.get("data_type")));
    }

    // ---- loading ----

    /**
     * Reads the device file {@code file}: JSON when its name ends with {@code .json}, YAML when it ends with
     * {@code .yaml} or {@code .yml}, otherwise JSON when it starts with <code>{</code> and YAML if not. UTF-8.
     *
     * @throws MockDeviceException when the file cannot be read or does not describe a device (the message says
     *     where and why); when it is YAML and SnakeYAML is missing
     */
    public static MockDevice load(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MockDeviceException(file.toString(), 0, "", "cannot read the device file: " + e, e);
        }
        return parse(text, file.toString());
    }

    /**
     * Reads the device file {@code name} next to {@code anchor}'s class file, as {@link Class#getResource} finds
     * it: {@code MockDevice.resource(MyTest.class, "/devices/psu.yaml")} for {@code src/test/resources/devices}.
     *
     * @throws MockDeviceException when there is no such resource or it does not describe a device
     */
    public static MockDevice resource(Class<?> anchor, String name) {
        Objects.requireNonNull(anchor, "anchor");
        Objects.requireNonNull(name, "name");
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new MockDeviceException(name, 0, "", "no such resource next to " + anchor.getName());
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new MockDeviceException(name, 0, "", "cannot read the resource: " + e, e);
        }
    }

    /**
     * Reads a device from {@code text}; {@code source} names it in messages and picks the format as a file name
     * does in {@link #load(Path)} ({@code "psu.json"}, {@code "psu.yaml"}).
     *
     * @throws MockDeviceException when the text does not describe a device
     */
    public static MockDevice parse(String text, String source) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        String lower = source.toLowerCase(Locale.ROOT);
        boolean json = lower.endsWith(".json")
                || !(lower.endsWith(".yaml") || lower.endsWith(".yml")) && text.stripLeading().startsWith("{");
        DeviceNode root;
        if (json) {
            root = DeviceNode.parseJson(text, source);
        } else if (!YamlDevice.available()) {
            throw new MockDeviceException(source, 0, "", "a YAML device file needs org.yaml:snakeyaml 2.x on the"
                    + " class path (add it to your test dependencies), or write the device as JSON");
        } else {
            root = YamlDevice.parse(text, source);
        }
        return new MockDevice(root);
    }

    static String optText(DeviceNode n, String otherwise) {
        return n == null || n.isNull() ? otherwise : n.text();
    }

    private static String errorText(DeviceNode n) {
        String e = n.text();
        if (e.contains("\n") || e.isBlank()) {
            throw n.error("an error is one non-empty line, as SYST:ERR? gives it: -222,\"Data out of range\"");
        }
        return e;
    }

    private static Dialogue dialogue(DeviceNode node) {
        Map<String, DeviceNode> d = node.map(DIALOGUE, Map.of("e", "a dialogue has q or match, r and delay_ms"));
        DeviceNode q = d.get("q");
        DeviceNode match = d.get("match");
        if ((q == null) == (match == null)) {
            throw node.error("a dialogue needs exactly one of q (the exact command) and match (a regex)");
        }
        String reply = optText(d.get("r"), null);
        Duration delay = Duration.ZERO;
        if (d.get("delay_ms") != null) {
            double ms = d.get("delay_ms").number();
            if (ms < 0 || ms > 3_600_000) {
                throw d.get("delay_ms").error("expected 0 to 3600000 ms, got " + d.get("delay_ms").text());
            }
            delay = Duration.ofNanos((long) (ms * 1_000_000));
        }
        if (q != null) {
            return new Dialogue(command(q), null, reply, delay);
        }
        Pattern p;
        try {
            p = Pattern.compile(match.text());
        } catch (PatternSyntaxException e) {
            throw match.error("not a regex: " + e.getDescription() + " at index " + e.getIndex());
        }
        if (reply != null) {
            int groups = p.matcher("").groupCount();
            Matcher ref = Pattern.compile("(?<!\\\\)\\$(\\d)").matcher(reply);
            while (ref.find()) {
                if (Integer.parseInt(ref.group(1)) > groups) {
                    throw d.get("r").error("$" + ref.group(1) + " but the regex has " + groups + " group(s)"
                            + " (write \\$ for a dollar sign)");
                }
            }
        }
        return new Dialogue(null, p, reply, delay);
    }

    static String command(DeviceNode q) {
        String c = q.text().strip();
        if (c.isEmpty() || c.contains("\n")) {
            throw q.error("a command is one non-empty line");
        }
        return c;
    }

    // ---- answering ----

    /**
     * The answer to one program message unit: {@link #NOT_MINE} when the device does not know it, null when it is
     * refused (its error queued on {@code dict}), or the reply ({@link MockReply#none()} for a setting).
     */
    MockReply answer(String cmd, Map<String, String> values, ScpiDictionary dict) {
        for (Dialogue d : dialogues) {
            String reply = null;
            if (d.exact != null) {
                if (!d.exact.equalsIgnoreCase(cmd)) {
                    continue;
                }
                reply = d.reply;
            } else {
                Matcher m = d.match.matcher(cmd);
                if (!m.matches()) {
                    continue;
                }
                if (d.reply != null) {
                    StringBuilder b = new StringBuilder();
                    m.appendReplacement(b, d.reply);
                    reply = b.toString();
                }
            }
            if (reply == null) {
                return MockReply.none();
            }
            MockReply r = dict.lineReply(reply);
            return d.delay.isZero() ? r : r.delay(d.delay);
        }
        for (DeviceProperty p : properties.values()) {
            if (p.getter() != null && p.getter().equalsIgnoreCase(cmd)) {
                String value = values.getOrDefault(p.name(), p.defaultValue());
                String text;
                try {
                    text = ReplyFormat.format(p.getReply(), value, p.type());
                } catch (IllegalArgumentException e) { // a str property set to a text its numeric format cannot show
                    text = value;
                }
                return dict.lineReply(text);
            }
        }
        for (DeviceProperty p : properties.values()) {
            if (p.setter() == null) {
                continue;
            }
            Matcher m = p.setter().matcher(cmd);
            if (!m.matches()) {
                continue;
            }
            DeviceProperty.Check c = p.check(m.group(1).strip(), refusals);
            if (c.error() != null) {
                dict.queueError(c.error());
                return p.refusedReply() == null ? null : dict.lineReply(p.refusedReply());
            }
            values.put(p.name(), c.value());
            return p.setReply() == null ? MockReply.none() : dict.lineReply(p.setReply());
        }
        return NOT_MINE;
    }

    /** Whether a command no one knows is refused ({@code -113}) rather than stored by the dictionary. */
    boolean strict() {
        return strict;
    }

    /** Every property's default value, by name. */
    Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        for (DeviceProperty p : properties.values()) {
            m.put(p.name(), p.defaultValue());
        }
        return m;
    }

    /** Checks a value for {@link ScpiDictionary#property(String, String)}: the stored form, or an exception. */
    String checked(String property, String value) {
        DeviceProperty p = properties.get(property);
        if (p == null) {
            throw new IllegalArgumentException("device " + name + " has no property \"" + property + "\"; it has "
                    + properties.keySet());
        }
        DeviceProperty.Check c = p.check(value.strip(), refusals);
        if (c.error() != null) {
            throw new IllegalArgumentException("property " + property + " refuses \"" + value + "\": " + c.error());
        }
        return c.value();
    }

    List<String> initialErrors() {
        return initialErrors;
    }

    // ---- what it is ----

    /** The device's name: its {@code device} entry, else the file it came from. */
    public String name() {
        return name;
    }

    /** Where it came from: the file or the name given to {@link #parse}. */
    public String source() {
        return source;
    }

    /** The {@code *IDN?} answer, or null to keep the dictionary's ({@link ScpiDictionary#DEFAULT_IDENTITY}). */
    public String identity() {
        return identity;
    }

    /** What ends its replies (default {@code \n}). */
    public String replyTerminator() {
        return terminator;
    }

    /** Its property names, in file order. */
    public Set<String> propertyNames() {
        return properties.keySet();
    }

    /**
     * The default value of {@code property}, as stored (a {@code valid} entry as listed).
     *
     * @throws IllegalArgumentException when there is no such property
     */
    public String defaultValue(String property) {
        DeviceProperty p = properties.get(property);
        if (p == null) {
            throw new IllegalArgumentException("device " + name + " has no property \"" + property + "\"");
        }
        return p.defaultValue();
    }

    @Override
    public String toString() {
        return "MockDevice[" + name + ", " + dialogues.size() + " dialogues, properties " + properties.keySet() + "]";
    }



}
