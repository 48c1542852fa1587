package dev.labwire.mock;

import dev.labwire.core.vxi11.Vxi11Error;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceRemoteFunc;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceSrqParms;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interrupt channel of one core connection (VXI-11 create_intr_chan): the mock connects back to the host's
 * RPC server and calls device_intr_srq (procedure 30 of the program and version the host gave, normally 0x0607B1
 * version 1) with the link's handle. device_intr_srq is sent as a one-way call: the mock never waits for a reply;
 * a thread reads and discards whatever the host sends back. Only TCP and only loopback addresses are served (the
 * mock itself listens on loopback only): UDP gets error 8, another address error 21, a refused connection error 21.
 */
final class Vxi11Interrupts {

    private static final Logger log = LoggerFactory.getLogger(Vxi11Interrupts.class);
    private static final int CONNECT_TIMEOUT_MS = 2000;

    private final Socket socket;
    private final OutputStream out;
    private final DeviceRemoteFunc target;
    private int xid;

    private Vxi11Interrupts(Socket socket, DeviceRemoteFunc target) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.target = target;
        InputStream in = socket.getInputStream();
        Thread drain = new Thread(() -> {
            byte[] buf = new byte[512];
            try {
                while (in.read(buf) >= 0) {
                    // replies to one-way calls are not needed
                }
            } catch (IOException e) {
                // the channel closed
            }
        }, "mock-vxi11 intr " + socket.getPort());
        drain.setDaemon(true);
        drain.start();
    }

    /** create_intr_chan for connection {@code c}: the VXI-11 error code (0: made). */
    static int create(RpcServer.Connection c, DeviceRemoteFunc f) {
        synchronized (c) {
            if (c.attachment instanceof Vxi11Interrupts) {
                return Vxi11Error.CHANNEL_ALREADY_ESTABLISHED.code();
            }
            if (f.progFamily() != Vxi11.FAMILY_TCP) {
                return Vxi11Error.OPERATION_NOT_SUPPORTED.code();
            }
            long a = f.hostAddr();
            InetAddress host;
            try {
                host = InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8),
                    (byte) a});
            } catch (IOException e) {
                return Vxi11Error.INVALID_ADDRESS.code();
            }
            if (!host.isLoopbackAddress()) {
                log.warn("VXI-11 mock: create_intr_chan to {} refused: the mock calls back to loopback only", host);
                return Vxi11Error.INVALID_ADDRESS.code();
            }
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, f.hostPort()), CONNECT_TIMEOUT_MS);
                s.setTcpNoDelay(true);
                c.attachment = new Vxi11Interrupts(s, f);
                return 0;
            } catch (IOException e) {
                log.debug("VXI-11 mock: interrupt channel to {}:{} failed: {}", host, f.hostPort(), e.toString());
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
                return Vxi11Error.INVALID_ADDRESS.code();
            }
        }
    }

    /** destroy_intr_chan (or the core connection ended): 0, or 6 when there was no channel. */
    static int destroy(RpcServer.Connection c) {
        Vxi11Interrupts channel;
        synchronized (c) {
            if (!(c.attachment instanceof Vxi11Interrupts)) {
                return Vxi11Error.CHANNEL_NOT_ESTABLISHED.code();
            }
            channel = (Vxi11Interrupts) c.attachment;
            c.attachment = null;
        }
        try {
            channel.socket.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
        return 0;
    }

    /** Calls device_intr_srq with {@code handle} on {@code c}'s interrupt channel; false when it has none. */
    static boolean sendSrq(RpcServer.Connection c, byte[] handle) {
        synchronized (c) {
            if (!(c.attachment instanceof Vxi11Interrupts channel)) {
                return false;
            }
            RpcCall call = RpcCall.of(++channel.xid, channel.target.progNum(), channel.target.progVers(),
                    Vxi11.DEVICE_INTR_SRQ, new DeviceSrqParms(handle).encode());
            try {
                channel.out.write(RecordMarking.frame(call.encode()));
                channel.out.flush();
                return true;
            } catch (IOException e) {
                log.debug("VXI-11 mock: device_intr_srq not sent: {}", e.toString());
                return false;
            }
        }
    }
}
