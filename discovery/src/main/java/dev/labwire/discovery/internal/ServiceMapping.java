package dev.labwire.discovery.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.discovery.FoundInstrument;
import dev.labwire.discovery.Source;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one resolved DNS-SD service (type, instance name, SRV target and port, addresses, TXT) into the endpoint a
 * client opens. No I/O: the browser feeds it what JmDNS resolved, tests feed it directly.
 *
 * <p>Which endpoint for which service type (LXI Device Specification, section 10, "LXI mDNS and DNS-SD"):
 * <pre>
 *   _scpi-raw._tcp  SCPI raw socket       tcp://addr:port
 *   _hislip._tcp    HiSLIP (IVI-6.1)      hislip://addr:port/hislip0
 *   _vxi-11._tcp    VXI-11 portmapper     vxi11://addr:111/inst0   (the SRV port: the portmapper's)
 *   _lxi._tcp       the LXI web page      vxi11://addr:111/inst0    (LXI devices serve VXI-11; "via" says so)
 * </pre>
 * The address is an IPv4 one when the service has any (a global one before a link-local one), else an IPv6 one
 * (global first; a link-local one keeps its scope, {@code fe80::1%eth0}).
 */
public final class ServiceMapping {

    /** The DNS-SD service types browsed by default, without the {@code local.} domain. */
    public static final List<String> DEFAULT_TYPES = List.of("_lxi._tcp", "_scpi-raw._tcp", "_vxi-11._tcp",
            "_hislip._tcp");

    private ServiceMapping() {}

    /**
     * The instrument behind a resolved service, or empty when the service has no address or its type is not one
     * labwire knows.
     *
     * @param type      the service type, with or without the domain ({@code _scpi-raw._tcp.local.})
     * @param name      the instance name ({@code Bench PSU})
     * @param server    the SRV target host name, or null
     * @param port      the SRV port
     * @param addresses the service's addresses (A and AAAA records)
     * @param txt       its TXT keys and values
     */
    public static Optional<FoundInstrument> map(String type, String name, String server, int port,
                                                List<InetAddress> addresses, Map<String, String> txt) {
        String t = bareType(type);
        Optional<InetAddress> address = addresses.stream().min(PREFERENCE);
        if (address.isEmpty() || port < 0 || port > 65535) {
            return Optional.empty();
        }
        String host = hostString(address.get());
        String endpoint;
        String via = t + " \"" + name + "\"" + (server == null || server.isEmpty() ? "" : " on " + server);
        switch (t) {
            case "_scpi-raw._tcp" -> {
                if (port == 0) {
                    return Optional.empty();
                }
                endpoint = new Endpoint.Tcp(host, port).toString();
            }
            case "_hislip._tcp" -> endpoint = new Endpoint.Hislip(host, port == 0 ? Endpoint.Hislip.DEFAULT_PORT : port,
                    Endpoint.Hislip.DEFAULT_SUB_ADDRESS).toString();
            case "_vxi-11._tcp" -> endpoint = new Endpoint.Vxi11(host,
                    port == 0 ? Endpoint.Vxi11.PORTMAPPER_PORT : port, Endpoint.Vxi11.DEFAULT_DEVICE).toString();
            case "_lxi._tcp" -> {
                endpoint = new Endpoint.Vxi11(host, Endpoint.Vxi11.PORTMAPPER_PORT, Endpoint.Vxi11.DEFAULT_DEVICE)
                        .toString();
                via += " (LXI web page http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
                        + "/; VXI-11 assumed)";
            }
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(new FoundInstrument(endpoint, Source.MDNS, via, Optional.ofNullable(emptyToNull(server)),
                txtValue(txt, "Manufacturer"), txtValue(txt, "Model"),
                txtValue(txt, "SerialNumber", "Serial"), txtValue(txt, "FirmwareVersion", "Firmware"),
                txt, Optional.empty(), Optional.empty()));
    }

    /** {@code _scpi-raw._tcp.local.} to {@code _scpi-raw._tcp}, lower case. */
    public static String bareType(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith(".local")) {
            t = t.substring(0, t.length() - ".local".length());
        }
        return t;
    }

    /** An address as an endpoint host: dotted IPv4, or IPv6 without brackets and with a scope name if it has one. */
    static String hostString(InetAddress a) {
        String s = a.getHostAddress();
        if (a instanceof Inet6Address v6 && v6.getScopedInterface() != null) {
            int pct = s.indexOf('%');
            s = (pct < 0 ? s : s.substring(0, pct)) + "%" + v6.getScopedInterface().getName();
        }
        return compactIpv6(s);
    }

    // getHostAddress() gives 0:0:0:0:0:0:0:1 for ::1: keep the form people type
    private static String compactIpv6(String s) {
        if (s.indexOf(':') < 0) {
            return s;
        }
        try {
            int pct = s.indexOf('%');
            String addr = pct < 0 ? s : s.substring(0, pct);
            String scope = pct < 0 ? "" : s.substring(pct);
            String[] parts = addr.split(":", -1);
            if (parts.length != 8) {
                return s;
            }
            int bestStart = -1, bestLen = 0;
            for (int i = 0; i < 8; ) {
                if (Integer.parseInt(parts[i], 16) == 0) {
                    int j = i;
                    while (j < 8 && Integer.parseInt(parts[j], 16) == 0) {
                        j++;
                    }
                    if (j - i > bestLen && j - i > 1) {
                        bestStart = i;
                        bestLen = j - i;
                    }
                    i = j;
                } else {
                    i++;
                }
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    b.append(i == 0 ? "::" : ":");
                    i += bestLen - 1;
                    continue;
                }
                b.append(Integer.toHexString(Integer.parseInt(parts[i], 16)));
                if (i < 7) {
                    b.append(':');
                }
            }
            return b + scope;
        } catch (NumberFormatException e) {
            return s;
        }
    }

    private static final Comparator<InetAddress> PREFERENCE = Comparator.comparingInt(ServiceMapping::rank);

    private static int rank(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.isLinkLocalAddress() ? 1 : 0;
        }
        return a.isLinkLocalAddress() ? 3 : 2;
    }

    // DNS-SD keys are case-insensitive (RFC 6763 6.4)
    private static Optional<String> txtValue(Map<String, String> txt, String... keys) {
        for (String k : keys) {
            for (Map.Entry<String, String> e : txt.entrySet()) {
                if (e.getKey().equalsIgnoreCase(k) && e.getValue() != null && !e.getValue().isBlank()) {
                    return Optional.of(e.getValue().strip());
                }
            }
        }
        return Optional.empty();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
