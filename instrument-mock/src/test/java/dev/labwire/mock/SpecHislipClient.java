package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A HiSLIP client for tests, written from IVI-6.1 alone and on purpose not using the core's codec: headers are
 * packed and parsed by hand (prologue "HS", type, control code, 32-bit parameter, 64-bit length, all big-endian),
 * so a test fails when the mock and the core agree with each other but not with the spec. Reads wait at most
 * {@link #READ_TIMEOUT_MS} (a socket timeout, not a sleep).
 */
final class SpecHislipClient implements AutoCloseable {

    static final int READ_TIMEOUT_MS = 5000;

    /** A message as read: its 16 header bytes and its payload. */
    record Msg(byte[] header, byte[] payload) {
        int type() {
            return header[2] & 0xFF;
        }

        int control() {
            return header[3] & 0xFF;
        }

        int parameter() {
            return (header[4] & 0xFF) << 24 | (header[5] & 0xFF) << 16 | (header[6] & 0xFF) << 8 | header[7] & 0xFF;
        }

        String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }

        String headerHex() {
            return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(header);
        }

        @Override
        public String toString() {
            return headerHex() + " " + text();
        }
    }

    final Socket sync;
    Socket async;
    private final DataInputStream syncIn;
    private DataInputStream asyncIn;
    int sessionId = -1;
    private int nextId = 0xFFFFFF00;
    boolean rmtDelivered;
    int lastSentId = 0xFFFFFEFE;

    private SpecHislipClient(int port) throws IOException {
        sync = connect(port);
        syncIn = new DataInputStream(sync.getInputStream());
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Connects the sync channel only. */
    static SpecHislipClient syncOnly(int port) throws IOException {
        return new SpecHislipClient(port);
    }

    /** Initialize ("LW", "hislip0"), AsyncInitialize with the session id given, AsyncMaximumMessageSize. */
    static SpecHislipClient open(int port, long maxMessageSize) throws IOException {
        SpecHislipClient c = new SpecHislipClient(port);
        c.sendSync(header(0, 0, 0x0100 << 16 | 'L' << 8 | 'W', ascii("hislip0")));
        Msg r = c.readSync();
        assertThat(r.type()).as("InitializeResponse type").isEqualTo(1);
        c.sessionId = r.parameter() & 0xFFFF;
        c.openAsync(port, c.sessionId);
        Msg ar = c.readAsync();
        assertThat(ar.type()).as("AsyncInitializeResponse type").isEqualTo(18);
        c.sendAsync(header(15, 0, 0, u64(maxMessageSize)));
        Msg mr = c.readAsync();
        assertThat(mr.type()).as("AsyncMaximumMessageSizeResponse type").isEqualTo(16);
        return c;
    }

    void openAsync(int port, int session) throws IOException {
        async = connect(port);
        asyncIn = new DataInputStream(async.getInputStream());
        sendAsync(header(17, 0, session, new byte[0]));
    }

    /** Header and payload, packed by hand. */
    static byte[] header(int type, int control, int parameter, byte[] payload) {
        byte[] b = new byte[16 + payload.length];
        b[0] = 'H';
        b[1] = 'S';
        b[2] = (byte) type;
        b[3] = (byte) control;
        for (int i = 0; i < 4; i++) {
            b[4 + i] = (byte) (parameter >>> (24 - 8 * i));
        }
        long len = payload.length;
        for (int i = 0; i < 8; i++) {
            b[8 + i] = (byte) (len >>> (56 - 8 * i));
        }
        System.arraycopy(payload, 0, b, 16, payload.length);
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /** Sends {@code text} as one DataEnd with the next message id and RMT-delivered; returns the id. */
    int sendDataEnd(String text) throws IOException {
        return sendData(7, text);
    }

    /** Sends a Data (not the end of the message); returns the id. */
    int sendDataPart(String text) throws IOException {
        return sendData(6, text);
    }

    int sendTrigger() throws IOException {
        int id = nextId;
        sendSync(header(12, rmtDelivered ? 1 : 0, id, new byte[0]));
        advance(id);
        return id;
    }

    private int sendData(int type, String text) throws IOException {
        int id = nextId;
        sendSync(header(type, rmtDelivered ? 1 : 0, id, ascii(text)));
        advance(id);
        return id;
    }

    private void advance(int id) {
        lastSentId = id;
        nextId += 2;
        rmtDelivered = false;
    }

    /** Reads sync messages up to a DataEnd; every one must carry {@code id}; returns the joined payloads. */
    String readReply(int id) throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            Msg m = readSync();
            assertThat(m.type()).as("reply message type of %s", m).isIn(6, 7);
            assertThat(m.parameter()).as("message id of %s", m).isEqualTo(id);
            assertThat(m.control()).as("server Data/DataEnd control code").isZero();
            s.append(m.text());
            if (m.type() == 7) {
                rmtDelivered = true;
                return s.toString();
            }
        }
    }

    /** Ids start again at 0xFFFFFF00 (after a device clear). */
    void resetIds() {
        nextId = 0xFFFFFF00;
        lastSentId = 0xFFFFFEFE;
        rmtDelivered = false;
    }

    boolean rmtDelivered() {
        return rmtDelivered;
    }

    void sendSync(byte[] b) throws IOException {
        OutputStream o = sync.getOutputStream();
        o.write(b);
        o.flush();
    }

    void sendAsync(byte[] b) throws IOException {
        OutputStream o = async.getOutputStream();
        o.write(b);
        o.flush();
    }

    Msg readSync() throws IOException {
        return read(syncIn);
    }

    Msg readAsync() throws IOException {
        return read(asyncIn);
    }

    private static Msg read(DataInputStream in) throws IOException {
        byte[] h = new byte[16];
        in.readFully(h);
        assertThat(new String(h, 0, 2, StandardCharsets.ISO_8859_1)).as("prologue").isEqualTo("HS");
        long len = 0;
        for (int i = 8; i < 16; i++) {
            len = len << 8 | (h[i] & 0xFF);
        }
        assertThat(len).as("payload length").isBetween(0L, 1L << 20);
        byte[] p = new byte[(int) len];
        in.readFully(p);
        return new Msg(h, p);
    }

    /** True when the peer closed {@code which} (EOF within the read timeout). */
    static boolean closedByPeer(Socket which) throws IOException {
        try {
            return which.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        sync.close();
        if (async != null) {
            async.close();
        }
    }
}
