package dev.labwire.core.endpoint.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.SerialSettings;

/** {@code rfc2217://host:port[?options]}: a serial port behind an RFC 2217 terminal server. */
public final class Rfc2217Syntax {
    static final String FORM = "rfc2217://host:port[?options]";

    private Rfc2217Syntax() {}

    static Endpoint.Rfc2217 parse(String text, String rest) {
        int q = rest.indexOf('?');
        String hostPort = q < 0 ? rest : rest.substring(0, q);
        for (int i = 0; i < hostPort.length(); i++) {
            char c = hostPort.charAt(i);
            if (c == '/' || c == '#' || c == '@') {
                throw new IllegalArgumentException("unexpected '" + hostPort.substring(i) + "' after the host in '"
                        + text + "'; allowed: " + FORM);
            }
        }
        String[] hp = EndpointSyntax.hostAndPort(text, hostPort, "rfc2217");
        if (hp[1] == null) {
            throw new IllegalArgumentException("missing port in '" + text + "': terminal servers have no standard "
                    + "RFC 2217 port; allowed: " + FORM);
        }
        int port = -1;
        if (!hp[1].isEmpty() && hp[1].length() <= 5 && hp[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            port = Integer.parseInt(hp[1]);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad port '" + hp[1] + "' in '" + text + "'; allowed: 1..65535");
        }
        SerialSettings settings = EndpointSyntax.parseOptions(q < 0 ? null : rest.substring(q + 1), text);
        if (settings.rs485().isEnabled()) {
            throw new IllegalArgumentException("rs485=on in '" + text + "': RS485 mode cannot be set over RFC 2217; "
                    + "configure it on the terminal server");
        }
        return new Endpoint.Rfc2217(hp[0], port, settings);
    }

    public static String format(Endpoint.Rfc2217 e) {
        String host = e.host().indexOf(':') >= 0 ? "[" + e.host() + "]" : e.host();
        StringBuilder b = new StringBuilder("rfc2217://").append(host).append(':').append(e.port());
        EndpointSyntax.appendOptions(b, e.settings(), false);
        return b.toString();
    }
}
