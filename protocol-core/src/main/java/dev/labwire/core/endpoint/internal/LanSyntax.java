package dev.labwire.core.endpoint.internal;

import dev.labwire.core.endpoint.Endpoint;
import java.util.Locale;

/** The LAN instrument protocols' endpoint strings: {@code vxi11://} and {@code hislip://}, and their VISA forms. */
public final class LanSyntax {
    static final String VXI11_FORM = "vxi11://host[:portmapper-port][/device]";
    static final String HISLIP_FORM = "hislip://host[:port][/hislip<n>]";
    private static final int MAX_NAME = 64;

    private LanSyntax() {}

    static Endpoint.Vxi11 parseVxi11(String text, String rest) {
        String[] hp = split(text, rest, "vxi11");
        int port = hp[1] == null ? Endpoint.Vxi11.PORTMAPPER_PORT
                : EndpointSyntax.parsePort(hp[1], text, Endpoint.Vxi11.PORTMAPPER_PORT);
        String device = hp[2] == null ? Endpoint.Vxi11.DEFAULT_DEVICE : hp[2];
        checkDevice(device, text);
        if (device.toLowerCase(Locale.ROOT).startsWith("hislip")) {
            throw new IllegalArgumentException("device '" + device + "' in '" + text + "' is a HiSLIP sub-address; write "
                    + HISLIP_FORM);
        }
        return new Endpoint.Vxi11(hp[0], port, device);
    }

    static Endpoint.Hislip parseHislip(String text, String rest) {
        String[] hp = split(text, rest, "hislip");
        int port = hp[1] == null ? Endpoint.Hislip.DEFAULT_PORT
                : EndpointSyntax.parsePort(hp[1], text, Endpoint.Hislip.DEFAULT_PORT);
        String sub = hp[2] == null ? Endpoint.Hislip.DEFAULT_SUB_ADDRESS : hp[2];
        checkSubAddress(sub, text);
        return new Endpoint.Hislip(hp[0], port, sub);
    }

    /** host, port text (or null), name after '/' (or null). */
    private static String[] split(String text, String rest, String scheme) {
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '?' || c == '#' || c == '@') {
                throw new IllegalArgumentException("unexpected '" + rest.substring(i) + "' in '" + text + "'; allowed: "
                        + ("vxi11".equals(scheme) ? VXI11_FORM : HISLIP_FORM));
            }
        }
        int slash = rest.indexOf('/', rest.startsWith("[") ? Math.max(0, rest.indexOf(']')) : 0);
        String name = null;
        if (slash >= 0) {
            name = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("empty name after '/' in '" + text + "'; allowed: "
                        + ("vxi11".equals(scheme) ? VXI11_FORM : HISLIP_FORM) + ", or no '/'");
            }
        }
        String[] hp = EndpointSyntax.hostAndPort(text, rest, scheme);
        return new String[] {hp[0], hp[1], name};
    }

    /** A VXI-11 device name ({@code inst0}, {@code gpib0,5}): letters, digits, '_', ',' and '.', at most 64. */
    public static void checkDevice(String device, String context) {
        checkName(device, context, "device", "a VXI-11 device name such as inst0 or gpib0,5");
    }

    /** A HiSLIP sub-address: {@code hislip} and a number ({@code hislip0}). */
    public static void checkSubAddress(String sub, String context) {
        checkName(sub, context, "sub-address", "hislip<n>, e.g. hislip0");
        String lower = sub.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("hislip") || lower.length() == 6
                || !lower.substring(6).chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad HiSLIP sub-address '" + sub + "' in '" + context
                    + "'; allowed: hislip<n>, e.g. hislip0");
        }
    }

    private static void checkName(String name, String context, String what, String allowed) {
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw new IllegalArgumentException((name.isEmpty() ? "empty " + what : what + " longer than " + MAX_NAME
                    + " characters") + " in '" + context + "'; allowed: " + allowed);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == ',' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("bad " + what + " '" + name + "' in '" + context + "': character '"
                        + c + "' at index " + i + "; allowed: " + allowed);
            }
        }
    }

    public static String format(Endpoint.Vxi11 e) {
        return "vxi11://" + host(e.host()) + ":" + e.portmapperPort() + "/" + e.device();
    }

    public static String format(Endpoint.Hislip e) {
        return "hislip://" + host(e.host()) + ":" + e.port() + "/" + e.subAddress();
    }

    private static String host(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /**
     * The VISA {@code TCPIP::host[::name]::INSTR} forms: {@code inst0}-style names (and none) are VXI-11, {@code hislip<n>}
     * and {@code hislip<n>,<port>} are HiSLIP.
     */
    static Endpoint visaInstr(String text, String host, String name) {
        if (name == null) {
            return new Endpoint.Vxi11(host, Endpoint.Vxi11.PORTMAPPER_PORT, Endpoint.Vxi11.DEFAULT_DEVICE);
        }
        if (name.toLowerCase(Locale.ROOT).startsWith("hislip")) {
            int comma = name.indexOf(',');
            String sub = comma < 0 ? name : name.substring(0, comma);
            checkSubAddress(sub, text);
            int port = comma < 0 ? Endpoint.Hislip.DEFAULT_PORT
                    : EndpointSyntax.parsePort(name.substring(comma + 1), text, Endpoint.Hislip.DEFAULT_PORT);
            return new Endpoint.Hislip(host, port, sub);
        }
        checkDevice(name, text);
        return new Endpoint.Vxi11(host, Endpoint.Vxi11.PORTMAPPER_PORT, name);
    }
}
