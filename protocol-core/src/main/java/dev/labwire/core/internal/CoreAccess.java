package dev.labwire.core.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import java.util.function.BiFunction;

/**
 * Ways into the core's classes that are not public API, for other packages of the core (a bus builds its
 * connection with a {@link ReplyFilter}). The core's classes register themselves here when they load.
 */
public final class CoreAccess {
    private static volatile BiFunction<ConnectionConfig, ReplyFilter, Connection> connections;
    private static volatile java.util.function.Consumer<Connection> partialDropper;
    private static volatile java.util.function.Consumer<Connection> outlivesLink;
    private static volatile java.util.function.Consumer<Connection> xonXoff;

    private CoreAccess() {
    }

    /** Called once by {@link Connection}'s class initialiser. */
    public static void registerConnections(BiFunction<ConnectionConfig, ReplyFilter, Connection> factory,
            java.util.function.Consumer<Connection> dropUnowedPartialFrame,
            java.util.function.Consumer<Connection> streamOutlivesLink,
            java.util.function.Consumer<Connection> softwareFlowControl) {
        if (connections != null) {
            throw new IllegalStateException("already registered");
        }
        partialDropper = dropUnowedPartialFrame;
        outlivesLink = streamOutlivesLink;
        xonXoff = softwareFlowControl;
        connections = factory;
    }

    /**
     * Drops the bytes of an unfinished frame in {@code connection} while it awaits nothing (no reply, no echo), and
     * reports them as a discarded late reply: a bus calls it when a quiet time after a timeout ends, so that the
     * broken-off end of a late answer does not become the start of the next device's reply.
     */
    public static void dropUnowedPartialFrame(Connection connection) {
        partialDropper.accept(connection);
    }

    /**
     * Tells {@code connection} that the device's bytes outlive its links (a serial port, or one behind a terminal
     * server): a renewed link is not in step by itself, so after a link that went down with late replies owed, nothing
     * is written on the next one until the line has been quiet (the stale-reply grace; see StaleReplyPolicy).
     */
    public static Connection streamOutlivesLink(Connection connection) {
        outlivesLink.accept(connection); // registered: the instance's class is initialised
        return connection;
    }

    /**
     * Tells {@code connection} that its link has XON/XOFF flow control ({@code flow=xonxoff}): XON and XOFF that reach
     * it are taken out of the input and obeyed (see the core's SoftwareFlow; normally the OS does both first).
     */
    public static Connection softwareFlowControl(Connection connection) {
        xonXoff.accept(connection); // registered: the instance's class is initialised
        return connection;
    }

    /** A connection whose reply line drops frames {@code filter} calls foreign. */
    public static Connection newConnection(ConnectionConfig config, ReplyFilter filter) {
        if (connections == null) {
            try {
                Class.forName(Connection.class.getName(), true, Connection.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return connections.apply(config, filter);
    }
}
