package dev.labwire.blocking.internal;

import dev.labwire.serial.SerialLink;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A serial port; reads are short (about 100 ms) and return 0 when idle. */
final class SerialPortLink implements Link {
    private final SerialLink port;

    SerialPortLink(SerialLink port) {
        this.port = port;
    }

    @Override
    public int read(byte[] buf) throws IOException {
        return port.read(buf, 0, buf.length);
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        byte[] b;
        int off;
        int len = data.remaining();
        if (data.hasArray()) {
            b = data.array();
            off = data.arrayOffset() + data.position();
        } else {
            b = new byte[len];
            data.duplicate().get(b);
            off = 0;
        }
        port.write(b, off, len);
        data.position(data.limit());
    }

    @Override
    public void close() {
        port.close();
    }
}
