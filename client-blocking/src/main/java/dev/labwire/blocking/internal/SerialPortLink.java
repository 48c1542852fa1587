package dev.labwire.blocking.internal;

import dev.labwire.serial.SerialLink;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A serial port; reads are short (about 100 ms) and return 0 when idle. A write takes at most about 100 ms of line
 * time at the port's baud rate ({@link #slice}, at least 64 bytes), so the driver sees a long upload progress.
 */
final class SerialPortLink implements Link {
    private final SerialLink port;
    private final int slice;

    SerialPortLink(SerialLink port) {
        this.port = port;
        this.slice = slice(port.settings().baudRate());
    }

    /** Bytes a serial line carries in about 100 ms at {@code baud} (10 bits a byte), at least 64. */
    static int slice(int baud) {
        return Math.max(64, baud / 100);
    }

    @Override
    public int read(byte[] buf) throws IOException {
        return port.read(buf, 0, buf.length);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = port.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        byte[] b;
        int off;
        int len = Math.min(data.remaining(), slice);
        if (data.hasArray()) {
            b = data.array();
            off = data.arrayOffset() + data.position();
        } else {
            b = new byte[len];
            data.duplicate().get(b);
            off = 0;
        }
        port.write(b, off, len);
        data.position(data.position() + len);
    }

    @Override
    public void close() {
        port.close();
    }
}
