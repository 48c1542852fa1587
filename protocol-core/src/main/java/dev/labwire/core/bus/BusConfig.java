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
 *   <tr><td>{@code lateReplyGrace}</td><td>0</td><td>how long after a timeout a late reply is still waited for
 *       and swallowed before the next exchange may start. With 0 the bus moves on at once (after the
 *       turnaround), as Modbus masters do; a reply later than that reaches the next exchange, which fails with a
 *       wrong-address error if it is for another device, and is taken as its reply if it is for the same one.
 *       Raise it for devices that are slow rather than silent.</td></tr>
 * </table>
 *
 * <p>The connection settings are used as given with two exceptions: the stale-reply policy becomes
 * {@link StaleReplyPolicy#releaseAfter releaseAfter(lateReplyGrace)} (a silent device must cost only its own
 * exchange, not a reconnect), and {@link #connection()} reports that. {@code maxInFlight} must be 1 and
 * {@code externalHook} false; {@link Builder#build()} refuses anything else with an
 * {@link IllegalArgumentException}. On-connect requests are written as they are, unaddressed (a broadcast);
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

    /** How long after a timeout a late reply is still swallowed before the bus moves on. */
    public Duration lateReplyGrace() {
        return lateReplyGrace;
    }

    /** Builds a {@link BusConfig}; every setter validates its argument and names a bad value. */
    public static final class Builder {
        private ConnectionConfig connection = ConnectionConfig.DEFAULT;
        private Addressing addressing = Addressing.asciiPrefix();
        private Duration turnaround = Duration.ZERO;
        private Duration lateReplyGrace = Duration.ZERO;

        private Builder() {
        }

        /** The link's settings: framing, terminator, timeouts, echo, reconnect. */
        public Builder connection(ConnectionConfig connection) {
            this.connection = Objects.requireNonNull(connection, "connection");
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

        /** How long after a timeout a late reply is still swallowed; zero or positive. */
        public Builder lateReplyGrace(Duration grace) {
            this.lateReplyGrace = nonNegative("lateReplyGrace", grace);
            return this;
        }

        private static Duration nonNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
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
            ConnectionConfig effective = connection.toBuilder().staleReplyPolicy(StaleReplyPolicy.releaseAfter(lateReplyGrace)).build();
            return new BusConfig(effective, this);
        }
    }
}
