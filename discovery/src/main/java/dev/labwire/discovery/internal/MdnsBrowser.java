package dev.labwire.discovery.internal;

import dev.labwire.discovery.FoundInstrument;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browses DNS-SD service types with one JmDNS instance per local address and hands every resolved service to
 * {@link ServiceMapping}, then to the sink. Names are resolved as they are announced, so results arrive as they
 * come; closing stops every instance (JmDNS's goodbye packets are sent on a daemon thread so that closing returns
 * at once).
 */
public final class MdnsBrowser implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MdnsBrowser.class);

    /** How long a service resolved without a TXT record waits for one before it is handed out anyway. */
    static final long TXT_GRACE_MS = 750;

    private final List<JmDNS> instances = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> emitted = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labwire-mdns-txt-wait");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /**
     * The addresses to browse on by default: every address of every interface that is up and multicast-capable (not
     * point-to-point): its IPv4 addresses, or its IPv6 ones when it has no IPv4 address. A normal host's loopback
     * interface has no MULTICAST flag and is left out; a network namespace that turned it on (tests) uses it.
     */
    public static List<InetAddress> defaultAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            Enumeration<NetworkInterface> e = NetworkInterface.getNetworkInterfaces();
            while (e != null && e.hasMoreElements()) {
                NetworkInterface ni = e.nextElement();
                try {
                    if (!ni.isUp() || !ni.supportsMulticast() || ni.isPointToPoint()) {
                        continue;
                    }
                } catch (SocketException ex) {
                    continue;
                }
                List<InetAddress> all = Collections.list(ni.getInetAddresses());
                List<InetAddress> v4 = all.stream().filter(a -> a instanceof Inet4Address).toList();
                out.addAll(v4.isEmpty() ? all : v4);
            }
        } catch (SocketException e) {
            log.debug("cannot list network interfaces", e);
        }
        return out;
    }

    /**
     * Starts browsing {@code types} (e.g. {@code _scpi-raw._tcp}) on each of {@code addresses}; returns at once.
     * Addresses where JmDNS cannot start are logged at WARN and skipped.
     */
    public void start(List<InetAddress> addresses, List<String> types, Consumer<FoundInstrument> sink) {
        for (InetAddress address : addresses) {
            if (closed) {
                return;
            }
            JmDNS jmdns;
            try {
                jmdns = JmDNS.create(address, "labwire-discovery-" + ProcessHandle.current().pid());
            } catch (IOException | RuntimeException e) {
                log.warn("mDNS: cannot browse on {}: {}", address, e.toString());
                continue;
            }
            instances.add(jmdns);
            for (String type : types) {
                String full = ServiceMapping.bareType(type) + ".local.";
                jmdns.addServiceListener(full, new Listener(sink));
            }
            log.debug("mDNS: browsing {} on {}", types, address);
        }
    }

    private final class Listener implements ServiceListener {
        private final Consumer<FoundInstrument> sink;

        Listener(Consumer<FoundInstrument> sink) {
            this.sink = sink;
        }

        @Override
        public void serviceAdded(ServiceEvent event) {
            if (!closed) {
                event.getDNS().requestServiceInfo(event.getType(), event.getName(), 1000);
            }
        }

        @Override
        public void serviceRemoved(ServiceEvent event) {
            // a discovery run reports what it saw; a service leaving later is not news to it
        }

        @Override
        public void serviceResolved(ServiceEvent event) {
            ServiceInfo info = event.getInfo();
            if (closed || info == null) {
                return;
            }
            String key = event.getDNS().getName() + "|" + event.getType() + "|" + event.getName();
            if (emitted.contains(key)) {
                return;
            }
            Optional<FoundInstrument> found = map(event.getType(), event.getName(), info);
            if (found.isEmpty()) {
                return;
            }
            if (!found.get().properties().isEmpty()) {
                if (emitted.add(key)) {
                    sink.accept(found.get());
                }
                return;
            }
            // JmDNS may call this before the TXT record is in (seen with python-zeroconf announcing): give the TXT
            // record TXT_GRACE_MS to come, then hand out what is known (a service may have no TXT at all)
            JmDNS dns = event.getDNS();
            String type = event.getType();
            String name = event.getName();
            try {
                timer.schedule(() -> {
                    if (closed || !emitted.add(key)) {
                        return;
                    }
                    ServiceInfo latest = dns.getServiceInfo(type, name, false, 1);
                    Optional<FoundInstrument> now = latest == null ? Optional.empty() : map(type, name, latest);
                    sink.accept(now.orElse(found.get()));
                }, TXT_GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private static Optional<FoundInstrument> map(String type, String name, ServiceInfo info) {
        {
            List<InetAddress> addresses = new ArrayList<>();
            addresses.addAll(Arrays.asList(info.getInet4Addresses()));
            addresses.addAll(Arrays.asList(info.getInet6Addresses()));
            Map<String, String> txt = new LinkedHashMap<>();
            Enumeration<String> names = info.getPropertyNames();
            while (names.hasMoreElements()) {
                String k = names.nextElement();
                String v = info.getPropertyString(k);
                txt.put(k, v == null ? "" : v);
            }
            Optional<FoundInstrument> found = ServiceMapping.map(type, name, info.getServer(), info.getPort(),
                    addresses, txt);
            log.debug("mDNS: resolved {} {} -> {}", type, name, found);
            return found;
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        List<JmDNS> copy;
        synchronized (instances) {
            copy = new ArrayList<>(instances);
            instances.clear();
        }
        for (JmDNS j : copy) {
            Thread t = new Thread(() -> {
                try {
                    j.close();
                } catch (IOException | RuntimeException e) {
                    log.debug("mDNS: closing {}", j, e);
                }
            }, "labwire-mdns-close");
            t.setDaemon(true);
            t.start();
        }
    }
}
