package dev.labwire.mock;

import java.io.IOException;

/** Where a {@link MockInstrument}'s bytes go: loopback TCP ({@link TcpSide}) or a pty pair ({@link PtySide}). */
interface LinkSide {
    void start() throws IOException;

    void stop();

    /** Drops every connection and serves again on the same port or path; starts when stopped. */
    void restart() throws IOException;

    void disconnect() throws IOException;

    void dropLink(Session session);

    void halfClose(Session session) throws IOException;

    String endpoint();
}
