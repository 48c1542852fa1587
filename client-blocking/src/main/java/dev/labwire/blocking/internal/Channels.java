package dev.labwire.blocking.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extra TCP connections a session machine orders ({@link Event.OpenChannel}, {@link Event.ListenChannel},
 * {@link Event.CloseChannel}; docs/CHANNELS.md). Channel traffic is small control messages, so each channel gets plain
 * threads: one that connects (or accepts) and then reads, one that writes what the machine gives. Nothing does I/O
 * under the driver's lock; reports reach the machine under it, and only while the socket is still the channel's (a
 * closed or replaced channel's late bytes and errors are dropped). Every method named {@code ...Locked} is called with
 * the driver's lock held.
 */
final class Channels {
    private static final Logger LOG = LoggerFactory.getLogger(Channels.class);
    private static final int BUFFER = 8 * 1024;

    /** What the channels need of their driver. */
    interface Host {
        /** The machine, its settings, the lock and the drain to run after a report, all of the driver. */
        LinkMachine machine();

        ConnectionConfig config();

        ReentrantLock lock();

        void drainLocked();

        /** The link's remote address while it is up (channels go to the same address), else null. */
        InetAddress remoteLocked();

        /** The local address of the link's socket, for a listening channel; null while the link is down. */
        InetAddress localLocked();
    }

    private final Host host;
    private final String name;
    private final String hostName; // where channels go while the link is down
    private final Map<Integer, Chan> open = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ByteBuffer out = ByteBuffer.allocate(BUFFER);
    private boolean closed;

    Channels(Host host, String name, String hostName) {
        this.host = host;
        this.name = name;
        this.hostName = hostName;
    }

    /** Obeys a channel order; false when {@code e} is not one. */
    boolean orderLocked(Event e) {
        if (e instanceof Event.OpenChannel o) {
            start(o.channel(), o.port());
        } else if (e instanceof Event.ListenChannel l) {
            start(l.channel(), -1);
        } else if (e instanceof Event.CloseChannel c) {
            Chan ch = open.remove(c.channel());
            if (ch != null) {
                LOG.debug("{}: closing channel {}: {}", name, c.channel(), c.reason());
                ch.closeLocked();
            }
        } else {
            return false;
        }
        return true;
    }

    /** Hands every connected channel's pending bytes to its writer. */
    void transmitLocked() {
        if (open.isEmpty()) {
            return;
        }
        for (Chan ch : open.values()) {
            if (ch.socket == null) {
                continue;
            }
            for (int n; (n = host.machine().pollTransmit(ch.number, out.clear())) > 0; ) {
                byte[] copy = new byte[n];
                out.flip().get(copy);
                ch.outgoing.add(copy);
                ch.writeReady.signal();
            }
        }
    }

    /** The client closes: every channel closes; returns the threads to wait for. */
    List<Thread> closeLocked() {
        closed = true;
        for (Chan ch : open.values()) {
            ch.closeLocked();
        }
        open.clear();
        threads.removeIf(t -> !t.isAlive());
        return new ArrayList<>(threads);
    }

    private void start(int number, int port) {
        Chan old = open.remove(number);
        if (old != null) {
            old.closeLocked(); // the machine reuses a number it did not close: the old socket is not the channel any more
        }
        if (closed) {
            return;
        }
        Chan ch = new Chan(number, port);
        open.put(number, ch);
        Thread t = Threads.daemon(ch::run, "labwire-channel-" + number + " " + name);
        threads.removeIf(x -> !x.isAlive());
        threads.add(t);
        t.start();
    }

    /** One channel: its socket (or the listening socket before it), a reader (this thread) and a writer. */
    private final class Chan {
        final int number;
        final int port; // -1: listen
        final ArrayDeque<byte[]> outgoing = new ArrayDeque<>();
        final Condition writeReady = host.lock().newCondition();
        Socket socket;          // set once connected, under the lock
        ServerSocket listening; // while listening
        Socket connecting;
        boolean gone;

        Chan(int number, int port) {
            this.number = number;
            this.port = port;
        }

        boolean currentLocked() {
            return !gone && open.get(number) == this;
        }

        void closeLocked() {
            gone = true;
            writeReady.signalAll();
            quietly(socket);
            quietly(listening);
            quietly(connecting);
        }

        void run() {
            Socket s;
            try {
                s = port < 0 ? accept() : connect();
            } catch (IOException | RuntimeException e) {
                report(() -> {
                    gone = true;
                    open.remove(number, this);
                    host.machine().channelFailed(number, e, System.nanoTime());
                }, null);
                return;
            }
            if (s == null) {
                return; // closed meanwhile
            }
            Thread writer = Threads.daemon(() -> writeLoop(s), "labwire-channel-writer-" + number + " " + name);
            if (!report(() -> {
                socket = s;
                host.machine().channelUp(number, System.nanoTime());
            }, s)) {
                return;
            }
            writer.start();
            readLoop(s);
        }

        private Socket connect() throws IOException {
            Socket s = new Socket();
            InetAddress to;
            host.lock().lock();
            try {
                if (!currentLocked()) {
                    return null;
                }
                connecting = s;
                to = host.remoteLocked();
            } finally {
                host.lock().unlock();
            }
            try {
                s.setTcpNoDelay(true);
                InetSocketAddress addr = to != null ? new InetSocketAddress(to, port) : new InetSocketAddress(hostName, port);
                if (addr.isUnresolved()) {   // the JDK's UnknownHostException names the host only
                    throw new java.net.UnknownHostException(dev.labwire.core.internal.UnknownHosts.message(hostName, port,
                            "channel " + number + " of " + name));
                }
                s.connect(addr, (int) Math.min(Integer.MAX_VALUE,
                        dev.labwire.core.internal.Durations.millis(host.config().connectTimeout())));
                return s;
            } catch (IOException e) {
                quietly(s);
                throw e;
            }
        }

        private Socket accept() throws IOException {
            ServerSocket server;
            host.lock().lock();
            try {
                if (!currentLocked()) {
                    return null;
                }
                InetAddress local = host.localLocked();
                if (local == null) {
                    throw new IOException("channel " + number + ": no link, so no local address to listen on");
                }
                server = new ServerSocket(0, 1, local);
                listening = server;
                host.machine().channelListening(number, local.getAddress(), server.getLocalPort(), System.nanoTime());
                host.drainLocked();
            } finally {
                host.lock().unlock();
            }
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                return s;
            } finally {
                quietly(server);
            }
        }

        private void readLoop(Socket s) {
            byte[] buf = new byte[BUFFER];
            try {
                InputStream in = s.getInputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    ByteBuffer data = ByteBuffer.wrap(buf, 0, n);
                    if (!report(() -> host.machine().receive(number, data, System.nanoTime()), s)) {
                        return;
                    }
                }
                down(s, new EOFException("channel " + number + " of " + name + ": end of stream"));
            } catch (IOException | RuntimeException e) {
                down(s, e);
            }
        }

        private void writeLoop(Socket s) {
            try {
                OutputStream o = s.getOutputStream();
                while (true) {
                    byte[] next;
                    host.lock().lock();
                    try {
                        while (outgoing.isEmpty() && !gone) {
                            writeReady.awaitUninterruptibly();
                        }
                        if (gone) {
                            return;
                        }
                        next = outgoing.poll();
                    } finally {
                        host.lock().unlock();
                    }
                    o.write(next);
                }
            } catch (IOException | RuntimeException e) {
                down(s, e);
            }
        }

        private void down(Socket s, Throwable cause) {
            report(() -> {
                gone = true;
                open.remove(number, this);
                writeReady.signalAll();
                host.machine().channelDown(number, cause, System.nanoTime());
            }, s);
            quietly(s);
        }

        /** Runs {@code r} under the lock and drains, if this is still the channel (and {@code s} its socket); else closes {@code s}. */
        private boolean report(Runnable r, Socket s) {
            host.lock().lock();
            try {
                if (closed || !currentLocked() || (socket != null && socket != s)) {
                    quietly(s);
                    return false;
                }
                r.run();
                host.drainLocked();
                return true;
            } finally {
                host.lock().unlock();
            }
        }
    }

    private static void quietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a channel socket: {}", e.toString());
            }
        }
    }
}
