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

    private CoreAccess() {
    }

    /** Called once by {@link Connection}'s class initialiser. */
    public static void registerConnections(BiFunction<ConnectionConfig, ReplyFilter, Connection> factory) {
        if (connections != null) {
            throw new IllegalStateException("already registered");
        }
        connections = factory;
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
