package dev.labwire.testsupport.clients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small RFC 2217 server on loopback (written here from RFC 2217, independent of labwire's codec) that serves one
 * connection: it answers every COM-PORT-OPTION setting (the reply code is the request's + 100, the value echoed) and,
 * when asked for "PORT?" (or "APORT?" by bus device "A"), reports a break (NOTIFY-LINESTATE 0x10) and CTS + DSR
 * (NOTIFY-MODEMSTATE 0x30) before its reply "ok" ("Aok").
 */
public final class FakeRfc2217Server implements AutoCloseable {
    private static final int IAC = 255;
    private static final int SB = 250;
    private static final int SE = 240;

    private final ServerSocket server;
    /** Each setting received: its COM-PORT-OPTION payload (sub-option code, then value) as {@link Arrays#toString}. */
    public final List<String> settings = new CopyOnWriteArrayList<>();

    public FakeRfc2217Server() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "fake-rfc2217");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve() {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            out.write(new byte[] {(byte) IAC, (byte) 253, 44, (byte) IAC, (byte) 251, 0, (byte) IAC, (byte) 253, 0});
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                if (b != IAC) {
                    line.write(b);
                    if (b == '\n') {
                        String got = line.toString(StandardCharsets.ISO_8859_1);
                        if (got.equals("PORT?\n") || got.equals("APORT?\n")) {   // a bus device "A" answers "Aok"
                            out.write(new byte[] {(byte) IAC, (byte) SB, 44, 106, 0x10, (byte) IAC, (byte) SE,
                                    (byte) IAC, (byte) SB, 44, 107, 0x30, (byte) IAC, (byte) SE});
                            out.write((got.startsWith("A") ? "Aok\n" : "ok\n").getBytes(StandardCharsets.ISO_8859_1));
                        }
                        line.reset();
                    }
                    continue;
                }
                int c = in.read();
                if (c == IAC) {
                    line.write(IAC);
                } else if (c == SB) {
                    answer(readSubnegotiation(in), out);
                } else {
                    in.read();   // the option byte of WILL/WONT/DO/DONT
                }
            }
        } catch (IOException e) {
            // the test ended
        }
    }

    private static byte[] readSubnegotiation(InputStream in) throws IOException {
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        for (int x; (x = in.read()) >= 0; ) {
            if (x == IAC) {
                int y = in.read();
                if (y == SE) {
                    break;
                }
                sb.write(y);
            } else {
                sb.write(x);
            }
        }
        return sb.toByteArray();
    }

    private void answer(byte[] p, OutputStream out) throws IOException {
        if (p.length < 2 || p[0] != 44) {
            return;
        }
        settings.add(Arrays.toString(Arrays.copyOfRange(p, 1, p.length)));
        ByteArrayOutputStream ack = new ByteArrayOutputStream();
        ack.write(IAC);
        ack.write(SB);
        ack.write(44);
        ack.write(p[1] + 100);
        for (int i = 2; i < p.length; i++) {
            ack.write(p[i]);
            if ((p[i] & 0xFF) == IAC) {
                ack.write(IAC);
            }
        }
        ack.write(IAC);
        ack.write(SE);
        out.write(ack.toByteArray());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
