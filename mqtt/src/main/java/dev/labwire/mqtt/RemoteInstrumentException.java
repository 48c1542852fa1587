package dev.labwire.mqtt;

/**
 * A gateway refused a {@link RemoteInstrument} call before it reached the instrument, for a reason a local client has
 * no exception for: {@link #kind()} is the schema's error kind ({@code unknown_instrument}, {@code too_large},
 * {@code expired}, {@code busy}, {@code internal}, or one this version does not know), or
 * {@code broker_refused} when the broker itself refused to take the request (MQTT 5 PUBACK reason code, e.g. an ACL). Timeouts, link loss and
 * instrument errors come as labwire's own exceptions instead.
 */
public final class RemoteInstrumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String kind;

    /** An error of {@code kind} with the gateway's {@code message}. */
    public RemoteInstrumentException(String kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    /** The error kind, as in docs/MQTT.md. */
    public String kind() {
        return kind;
    }
}
