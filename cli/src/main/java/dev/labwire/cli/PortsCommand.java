package dev.labwire.cli;

import dev.labwire.serial.SerialPortException;
import dev.labwire.serial.SerialPortInfo;
import dev.labwire.serial.SerialPorts;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labwire ports}: the serial ports, their USB identity and whether this user may open them. */
@Command(name = "ports", mixinStandardHelpOptions = true,
        description = {"List serial ports: path, USB vendor:product id, serial number, description, and whether "
                + "you may open them (permission denied, busy: open in another program).",
                "Ports are not opened (opening resets many boards). Ptys are not listed by the OS; name them to "
                        + "check them."},
        footer = {"", "Examples:", "  labwire ports", "  labwire ports /dev/ttyUSB0 --json"})
final class PortsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "check these device paths too (ptys, symlinks such as /dev/serial/by-id/...)")
    List<String> paths = new ArrayList<>();

    @Option(names = "--json", description = "one JSON object per port and line")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<SerialPortInfo> ports = new ArrayList<>();
        try {
            ports.addAll(SerialPorts.list());
        } catch (LinkageError e) {
            spec.commandLine().getErr().println("labwire: jSerialComm's native library did not load ("
                    + e.getMessage() + "); see `labwire info`. Named paths are still checked.");
        }
        for (String p : paths) {
            if (ports.stream().noneMatch(i -> i.path().equals(p))) {
                ports.add(new SerialPortInfo(p, "", Optional.empty(), Optional.empty()));
            }
        }
        boolean denied = false;
        List<String[]> rows = new ArrayList<>();
        for (SerialPortInfo p : ports) {
            PortAccess.Access a = PortAccess.check(p.path());
            denied |= a.verdict() == PortAccess.Verdict.PERMISSION_DENIED;
            String access = switch (a.verdict()) {
                case OK -> "ok";
                case PERMISSION_DENIED -> "permission denied (" + a.detail() + ")";
                case BUSY -> "busy (" + a.detail() + ")";
                case MISSING -> "missing";
            };
            if (json) {
                out.println(new Json().put("path", p.path()).put("endpoint", "serial:" + p.path())
                        .put("description", p.description())
                        .put("usb", p.usbId().map(id -> String.format("%04x:%04x", id.vendorId(), id.productId())))
                        .put("serialNumber", p.usbId().map(id -> id.serialNumber()))
                        .put("location", p.location())
                        .put("access", a.verdict().name().toLowerCase(java.util.Locale.ROOT))
                        .put("accessDetail", a.detail().isEmpty() ? null : a.detail()).put("group", a.group()));
            } else {
                rows.add(new String[] {p.path(),
                        p.usbId().map(id -> String.format("%04x:%04x", id.vendorId(), id.productId())).orElse("-"),
                        p.usbId().map(id -> id.serialNumber()).filter(s -> s != null).orElse("-"),
                        p.description().isEmpty() ? "-" : p.description(), access});
            }
        }
        if (!json) {
            if (rows.isEmpty()) {
                out.println("no serial ports found (ptys are not listed: name them, e.g. labwire ports /dev/pts/3)");
            } else {
                Table.print(out, new String[] {"PATH", "USB", "SERIAL", "DESCRIPTION", "ACCESS"}, rows);
            }
            if (denied) {
                out.println();
                out.println("permission denied: " + SerialPortException.DIALOUT_HINT);
            }
        }
        out.flush();
        return 0;
    }
}
