package dev.labwire.core.endpoint.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.SerialSettings;
import java.util.List;
import java.util.Locale;

/**
 * VISA resource strings (IVI VPP-4.3, section 4.3.1 "Address String Grammar"), the forms labwire can open: raw
 * sockets ({@code TCPIP[board]::host::port::SOCKET}) and serial ports ({@code ASRL[board]::INSTR} and the
 * {@code ASRL/dev/ttyUSB0::INSTR} form that PyVISA and NI-VISA on Linux accept). Keywords are case-insensitive as in
 * VISA; the host and the device path keep their case (Linux paths are case-sensitive). {@code TCPIP::host[::name]::INSTR}
 * is VXI-11, or HiSLIP for a {@code hislip<n>} name ({@link LanSyntax}). The other interface types are refused with a
 * message saying so. The grammar is documented on
 * {@link Endpoint}.
 */
final class VisaSyntax {

    static final String INSTR_FORMS = "TCPIP[board]::host[::inst0]::INSTR (VXI-11), TCPIP[board]::host::hislip0[,port]::INSTR (HiSLIP)";
    static final String FORMS = "TCPIP[board]::host::port::SOCKET, " + INSTR_FORMS + ", ASRL<n>::INSTR, ASRL<path>::INSTR";
    private static final String SOCKET_FORM = "TCPIP[board]::host::port::SOCKET";
    private static final String ASRL_FORMS = "ASRL<n>::INSTR (COM<n> on Windows), ASRL<path>::INSTR[?options]";
    /** VISA interface types labwire knows by name but cannot open yet, longest first so GPIB-VXI wins over GPIB. */
    private static final List<String> OTHER_TYPES = List.of("GPIB-VXI", "GPIB", "USB", "VXI", "PXI", "FIREWIRE");

    private VisaSyntax() {}

    /**
     * Whether {@code text} is meant as a VISA resource string: a VISA interface keyword and a {@code ::}, or
     * {@code ASRL/} (a device path, so that a missing {@code ::INSTR} is reported as such).
     */
    static boolean looksLikeVisa(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.startsWith("ASRL/")) {
            return true;
        }
        return upper.contains("::") && (upper.startsWith("TCPIP") || upper.startsWith("ASRL")
                || OTHER_TYPES.stream().anyMatch(upper::startsWith));
    }

    /**
     * Parses a VISA resource string.
     *
     * @param windows whether {@code ASRL<n>} may name {@code COM<n>}; elsewhere it is refused (no such name there)
     */
    static Endpoint parse(String text, boolean windows) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.startsWith("TCPIP")) {
            return parseTcpip(text);
        }
        if (upper.startsWith("ASRL")) {
            return parseAsrl(text, windows);
        }
        for (String type : OTHER_TYPES) {
            if (upper.startsWith(type)) {
                throw new IllegalArgumentException("VISA interface type '" + text.substring(0, type.length())
                        + "' in '" + text + "' is not supported yet; supported VISA forms: " + FORMS);
            }
        }
        throw new IllegalArgumentException("not a VISA resource string: '" + text + "'; supported VISA forms: " + FORMS);
    }

    private static Endpoint parseTcpip(String text) {
        int sep = text.indexOf("::");
        board(text, text.substring("TCPIP".length(), sep), SOCKET_FORM);
        String rest = text.substring(sep + 2);
        String host;
        if (rest.startsWith("[")) { // an IPv6 literal holds "::" itself
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in '" + text + "'; allowed: TCPIP::[ipv6]::port::SOCKET");
            }
            host = rest.substring(1, close);
            rest = rest.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith("::")) {
                throw new IllegalArgumentException("unexpected '" + rest + "' after ']' in '" + text + "'; allowed: "
                        + SOCKET_FORM);
            }
            rest = rest.isEmpty() ? "" : rest.substring(2);
        } else {
            int end = rest.indexOf("::");
            host = end < 0 ? rest : rest.substring(0, end);
            rest = end < 0 ? "" : rest.substring(end + 2);
        }
        EndpointSyntax.checkHost(host, text);
        String[] parts = rest.isEmpty() ? new String[0] : rest.split("::", -1);
        String last = parts.length == 0 ? "" : parts[parts.length - 1];
        if (last.equalsIgnoreCase("SOCKET")) {
            if (parts.length != 2) {
                throw new IllegalArgumentException((parts.length < 2 ? "missing port" : "unexpected '"
                        + String.join("::", List.of(parts).subList(1, parts.length - 1)) + "' after the port")
                        + " in '" + text + "': a VISA SOCKET resource needs its port (no default); allowed: "
                        + SOCKET_FORM + ", e.g. TCPIP0::" + host + "::5025::SOCKET");
            }
            return new Endpoint.Tcp(host, port(parts[0], text));
        }
        if (last.equalsIgnoreCase("INSTR") || parts.length == 0) {
            if (parts.length > 2) {
                throw new IllegalArgumentException("unexpected '" + String.join("::", List.of(parts).subList(1,
                        parts.length - 1)) + "' after the device name in '" + text + "'; allowed: " + INSTR_FORMS);
            }
            return LanSyntax.visaInstr(text, host, parts.length == 2 ? parts[0] : null);
        }
        throw new IllegalArgumentException("unknown resource class '" + last + "' in '" + text + "'; allowed: "
                + SOCKET_FORM);
    }

    private static Endpoint.Serial parseAsrl(String text, boolean windows) {
        int q = text.indexOf('?');
        String resource = q < 0 ? text : text.substring(0, q);
        SerialSettings settings = EndpointSyntax.parseOptions(q < 0 ? null : text.substring(q + 1), text);
        if (!resource.toUpperCase(Locale.ROOT).endsWith("::INSTR")) {
            int sep = resource.lastIndexOf("::");
            throw new IllegalArgumentException((sep < 0 ? "missing '::INSTR'" : "unknown resource class '"
                    + resource.substring(sep + 2) + "'") + " in '" + text + "'; allowed: " + ASRL_FORMS);
        }
        String target = resource.substring("ASRL".length(), resource.length() - "::INSTR".length());
        if (target.isEmpty()) {
            throw new IllegalArgumentException("missing board number or device path after 'ASRL' in '" + text
                    + "'; allowed: " + ASRL_FORMS);
        }
        if (target.startsWith("/")) {
            EndpointSyntax.checkPath(target, text);
            return Endpoint.Serial.ofPath(target, settings);
        }
        int n = board(text, target, ASRL_FORMS);
        if (n < 1) {
            throw new IllegalArgumentException("board 'ASRL" + target + "' in '" + text
                    + "' names no serial port: ASRL<n> is COM<n>, numbered from 1; allowed: " + ASRL_FORMS);
        }
        if (!windows) {
            throw new IllegalArgumentException("'ASRL" + target + "' in '" + text + "' means COM" + n
                    + ", a Windows port name; on Linux and macOS name the device: ASRL/dev/ttyS" + (n - 1)
                    + "::INSTR, ASRL/dev/ttyUSB0::INSTR or serial:/dev/ttyUSB0");
        }
        return Endpoint.Serial.ofPath("COM" + n, settings);
    }

    /** The board number: digits, or none (board 0). */
    private static int board(String text, String digits, String forms) {
        if (digits.isEmpty()) {
            return 0;
        }
        if (digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad board number '" + digits + "' in '" + text
                    + "': a VISA board is a small decimal number (0, 1, ...); allowed: " + forms);
        }
        return Integer.parseInt(digits);
    }

    private static int port(String port, String text) {
        int value = -1;
        if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            value = Integer.parseInt(port);
        }
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("bad port '" + port + "' in '" + text + "'; allowed: 1..65535 (a VISA "
                    + "SOCKET resource has no default port; SCPI raw sockets are usually 5025)");
        }
        return value;
    }
}
