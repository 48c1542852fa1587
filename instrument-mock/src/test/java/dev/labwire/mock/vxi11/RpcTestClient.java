package dev.labwire.mock.vxi11;

import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.XdrReader;
import dev.labwire.core.vxi11.internal.XdrStruct;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/** A blocking ONC RPC client over loopback TCP for tests: one call at a time, record-marked, built on the core codecs. */
final class RpcTestClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int program;
    private final int version;
    private final RecordMarking records = new RecordMarking(1 << 20);
    private final ByteBuffer pending = ByteBuffer.allocate(64 * 1024).flip();
    private int xid = 0x100;

    RpcTestClient(int port, int program, int version) throws IOException {
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);   // a hang fails the test instead of blocking the build
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.program = program;
        this.version = version;
    }

    /** Sends a call and returns the raw reply. */
    RpcReply callRaw(int procedure, byte[] args) throws IOException {
        return callRaw(RpcCall.of(++xid, program, version, procedure, args));
    }

    RpcReply callRaw(RpcCall call) throws IOException {
        out.write(RecordMarking.frame(call.encode()));
        out.flush();
        return RpcReply.decode(nextRecord());
    }

    /** Sends a call and returns a reader over its SUCCESS results. */
    XdrReader call(int procedure, XdrStruct args) throws IOException {
        int id = xid + 1;
        return callRaw(procedure, args.encode()).results(id);
    }

    XdrReader call(int procedure, byte[] args) throws IOException {
        int id = xid + 1;
        return callRaw(procedure, args).results(id);
    }

    private byte[] nextRecord() throws IOException {
        while (true) {
            byte[] rec = records.receive(pending);
            if (rec != null) {
                return rec;
            }
            pending.clear();
            int n = in.read(pending.array(), 0, pending.capacity());
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            pending.limit(n);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
