package dev.labwire.mock;

import java.io.IOException;

/** Where a {@link MockInstrument}'s bytes go: loopback TCP ({@link TcpSide}) or a pty pair ({@link PtySide}). */
interface LinkSide {
    void start() throws IOException;

    void stop();

    void disconnect() throws IOException;

    void dropLink(Session session);

    void halfClose(Session session) throws IOException;

    String endpoint();
}
