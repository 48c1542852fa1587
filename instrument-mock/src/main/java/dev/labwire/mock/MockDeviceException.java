package dev.labwire.mock;

/**
 * A device file ({@link MockDevice}) that cannot be used: it cannot be read, is not valid JSON or YAML, or says
 * something the mock does not understand. The message names the file, the line (when known), the key and what is
 * wrong, e.g. {@code psu.yaml:14: properties.voltage.specs.min: expected a number, got "low"}.
 */
public final class MockDeviceException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String key;

    MockDeviceException(String source, int line, String key, String problem) {
        this(source, line, key, problem, null);
    }

    MockDeviceException(String source, int line, String key, String problem, Throwable cause) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (key == null || key.isEmpty() ? "" : key + ": ")
                + problem, cause);
        this.source = source;
        this.line = line;
        this.key = key == null ? "" : key;
    }

    /** The file (or the name given to text that was not read from a file). */
    public String source() {
        return source;
    }

    /** The line, counted from 1, where the problem is; 0 when not known (a file that cannot be read). */
    public int line() {
        return line;
    }

    /** The dotted key of the entry at fault ({@code properties.voltage.specs.min}, {@code dialogues[2].q}); "" for the file as a whole. */
    public String key() {
        return key;
    }
}
