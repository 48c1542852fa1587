package dev.labwire.discovery.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.discovery.FoundInstrument;
import dev.labwire.discovery.Source;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link PortmapperProbe}: broadcasts its datagram to port 111 of each target address (sent again after 250
 * ms and 1 s, UDP being lossy), and reports each responder that names a VXI-11 core port once, until the deadline.
 */
public final class Vxi11Broadcast {

    private static final Logger log = LoggerFactory.getLogger(Vxi11Broadcast.class);
    static final long[] RESEND_AT_MS = {0, 250, 1000};

    private Vxi11Broadcast() {}

    /** The default targets: the broadcast address of every IPv4 interface that is up, and 255.255.255.255. */
    public static List<InetAddress> defaultTargets() {
        Set<InetAddress> out = new java.util.LinkedHashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                try {
                    if (!ni.isUp()) {
                        continue;
                    }
                } catch (SocketException e) {
                    continue;
                }
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    if (ia.getAddress() instanceof Inet4Address && ia.getBroadcast() != null) {
                        out.add(ia.getBroadcast());
                    }
                }
            }
            out.add(InetAddress.getByAddress(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255}));
        } catch (IOException e) {
            log.debug("cannot list interfaces for the VXI-11 broadcast", e);
        }
        return List.copyOf(out);
    }

    /** Runs until {@code deadlineNanos} or {@code stop}; blocks the calling thread. */
    public static void run(List<InetAddress> targets, int port, long deadlineNanos, BooleanSupplier stop,
                           Consumer<FoundInstrument> sink) {
        PortmapperProbe probe = new PortmapperProbe(ThreadLocalRandom.current().nextInt());
        byte[] call = probe.datagram();
        Set<InetAddress> seen = new HashSet<>();
        long start = System.nanoTime();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(0))) {
            socket.setBroadcast(true);
            int sent = 0;
            byte[] buf = new byte[1500];
            while (!stop.getAsBoolean()) {
                long now = System.nanoTime();
                if (now - deadlineNanos >= 0) {
                    return;
                }
                while (sent < RESEND_AT_MS.length && now - start >= TimeUnit.MILLISECONDS.toNanos(RESEND_AT_MS[sent])) {
                    for (InetAddress t : targets) {
                        try {
                            socket.send(new DatagramPacket(call, call.length, t, port));
                        } catch (IOException e) {
                            log.debug("VXI-11 broadcast to {}:{} not sent: {}", t, port, e.toString());
                        }
                    }
                    sent++;
                }
                long wakeAt = sent < RESEND_AT_MS.length ? start + TimeUnit.MILLISECONDS.toNanos(RESEND_AT_MS[sent])
                        : deadlineNanos;
                // differences, not Math.min of the instants: a far deadline may have wrapped past Long.MAX_VALUE
                long waitMs = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(Math.min(wakeAt - now,
                        deadlineNanos - now)), 100)); // wake at least every 100 ms to see stop
                socket.setSoTimeout((int) waitMs);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                byte[] datagram = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
                OptionalInt core = probe.receive(datagram);
                InetAddress from = p.getAddress();
                if (core.isPresent() && seen.add(from)) {
                    String host = ServiceMapping.hostString(from);
                    sink.accept(new FoundInstrument(new Endpoint.Vxi11(host, Endpoint.Vxi11.PORTMAPPER_PORT,
                            Endpoint.Vxi11.DEFAULT_DEVICE).toString(), Source.VXI11_BROADCAST,
                            "portmapper at " + host + ": VXI-11 core on TCP port " + core.getAsInt(), Optional.empty(),
                            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                            Map.of("corePort", Integer.toString(core.getAsInt())), Optional.empty(), Optional.empty()));
                }
            }
        } catch (IOException e) {
            log.warn("VXI-11 broadcast: {}", e.toString());
        }
    }
}
