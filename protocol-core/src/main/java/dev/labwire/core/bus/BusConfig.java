package dev.labwire.core.bus;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.StaleReplyPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link Bus}, built with {@link #builder()}; shareable between buses.
 *
 * <table>
 *   <caption>Settings, defaults and limits</caption>
 *   <tr><th>setting</th><th>default</th><th>at the limit</th></tr>
 *   <tr><td>{@code connection}</td><td>{@link ConnectionConfig#DEFAULT}</td><td>framing, terminator, timeouts,
 *       queue bound ({@code maxQueued} counts all addresses), echo, reconnect; see below for what the bus replaces</td></tr>
 *   <tr><td>{@code addressing}</td><td>{@link Addressing#asciiPrefix()}</td><td>-</td></tr>
 *   <tr><td>{@code turnaround}</td><td>0 (none)</td><td>the quiet time between the end of one exchange (reply
 *       whole, write handed out or echoed, timeout) and the next write; set it to what the slowest device needs
 *       to switch its transceiver back (Modbus RTU: 3.5 character times, about 4 ms at 9600 baud)</td></tr>
 *   <tr><td>{@code lateReplyGrace}</td><td>1 s</td><td>how long after a request ended without its whole reply
 *       (timed out, or its reply broke off) its device gets nothing more, because its late reply may still come.
 *       The bus does not wait for it: the next device gets its turn at once (after the turnaround), and a late
 *       reply that names another device than the one whose reply is awaited is discarded
 *       ({@link dev.labwire.core.Event.Discarded}, {@code FOREIGN}, counted by {@link Bus#foreignFrames()}), never
 *       delivered and never failing that device's request. Only the slow device's own queue waits, so its late
 *       reply cannot be taken as the answer to its next request unless it comes later than its timeout plus this
 *       grace. Zero sends to it again at once (Modbus masters do; then a reply later than the timeout answers the
 *       next request to the same device).</td></tr>
 * </table>
 *
 * <p>The connection settings are used as given with two exceptions: the stale-reply policy becomes
 * {@link StaleReplyPolicy#releaseAfter releaseAfter(0)} (the wire is free as soon as a request ends: replies name
 * their device, so a late one cannot answer another device), and {@link #connection()} reports that.
 * {@code maxInFlight} must be 1 and {@code externalHook} false; {@link Builder#build()} refuses anything else with
 * an {@link IllegalArgumentException}. On-connect requests are written as they are, unaddressed (a broadcast);
 * their replies are not reported.
 */
public final class BusConfig {
    /** The defaults, as the table says. */
    public static final BusConfig DEFAULT = builder().build();

    private final ConnectionConfig connection;
    private final Addressing addressing;
    private final Duration turnaround;
    private final Duration lateReplyGrace;

    private BusConfig(ConnectionConfig connection, Builder b) {
        this.connection = connection;
        this.addressing = b.addressing;
        this.turnaround = b.turnaround;
        this.lateReplyGrace = b.lateReplyGrace;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings. */
    public Builder toBuilder() {
        return new Builder().connection(connection).addressing(addressing).turnaround(turnaround).lateReplyGrace(lateReplyGrace);
    }

    /** The connection settings the bus runs on, with its stale-reply policy already replaced. */
    public ConnectionConfig connection() {
        return connection;
    }

    /** How commands are addressed and replies checked. */
    public Addressing addressing() {
        return addressing;
    }

    /** The quiet time between the end of one exchange and the next write. */
    public Duration turnaround() {
        return turnaround;
    }

    /** How long after a request to a device ended without its whole reply the device gets nothing more. */
    public Duration lateReplyGrace() {
        return lateReplyGrace;
    }

    /** Builds a {@link BusConfig}; every setter validates its argument and names a bad value. */
    public static final class Builder {
        private ConnectionConfig connection = ConnectionConfig.DEFAULT;
        private Addressing addressing = Addressing.asciiPrefix();
        private Duration turnaround = Duration.ZERO;
        private Duration lateReplyGrace = Duration.ofSeconds(1);

        private Builder() {
        }

        /**
         * The link's settings: framing, terminator, timeouts, echo, reconnect.
         *
         * @throws IllegalArgumentException when {@code connection} has a
         *         {@link ConnectionConfig#writeAcknowledgement()}: on a bus the link carries the addressing's own writes
         *         (select commands, adapter settings) that no device acknowledges, so it would wait for answers that
         *         never come; an addressed device that acknowledges writes is sent its commands as queries
         */
        public Builder connection(ConnectionConfig connection) {
            Objects.requireNonNull(connection, "connection");
            if (connection.writeAcknowledgement() != null) {
                throw new IllegalArgumentException("writeAcknowledgement (\"" + connection.writeAcknowledgement().pattern()
                        + "\") is for a link to one device; a bus also writes its own addressing and adapter commands,"
                        + " which no device acknowledges: leave it unset and send commands a device answers as queries");
            }
            this.connection = connection;
            return this;
        }

        /** How commands are addressed and replies checked. */
        public Builder addressing(Addressing addressing) {
            this.addressing = Objects.requireNonNull(addressing, "addressing");
            return this;
        }

        /** The quiet time between the end of one exchange and the next write; zero or positive. */
        public Builder turnaround(Duration turnaround) {
            this.turnaround = nonNegative("turnaround", turnaround);
            return this;
        }

        /** How long after a request ended without its whole reply its device gets nothing more; zero or positive. */
        public Builder lateReplyGrace(Duration grace) {
            this.lateReplyGrace = nonNegative("lateReplyGrace", grace);
            return this;
        }

        private static Duration nonNegative(String name, Duration d) {
            return dev.labwire.core.internal.Durations.notNegative(name, d);
        }

        /**
         * The config.
         *
         * @throws IllegalArgumentException when the connection has {@code maxInFlight} other than 1 or an
         *         external on-connect hook
         */
        public BusConfig build() {
            if (connection.maxInFlight() != 1) {
                throw new IllegalArgumentException("a bus has one exchange on the wire at a time; the connection has maxInFlight="
                        + connection.maxInFlight());
            }
            if (connection.externalHook()) {
                throw new IllegalArgumentException("a bus cannot run an external on-connect hook (externalHook=true):"
                        + " send per-device setup through Bus.send once the state is READY");
            }
            ConnectionConfig effective = connection.toBuilder().staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ZERO)).build();
            return new BusConfig(effective, this);
        }
    }
}
