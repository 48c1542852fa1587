package dev.labwire.cli;

import dev.labwire.discovery.Discovery;
import dev.labwire.discovery.FoundInstrument;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labwire discover}: instruments announced on the LAN (mDNS/DNS-SD) and the local serial ports. */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"Find instruments: mDNS/DNS-SD services (_lxi._tcp, _scpi-raw._tcp, _vxi-11._tcp, "
                + "_hislip._tcp) on every multicast-capable interface, VXI-11 portmappers answering a broadcast "
                + "GETPORT (what NI-MAX and lxi discover send), and the serial ports of this machine.",
                "Each line starts with an endpoint to paste into query or shell. Results are printed as they "
                        + "arrive; the run ends after --timeout.",
                "Not found? mDNS and broadcasts do not cross routers: the instrument must be on your subnet, and "
                        + "a firewall must let UDP port 5353 (mDNS) and the portmappers' answers from port 111 in."},
        footer = {"", "Examples:", "  labwire discover", "  labwire discover --identify --timeout 5s --json"})
final class DiscoverCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "3s",
            description = "how long to listen (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--json", description = "one JSON object per result and line")
    boolean json;

    @Option(names = "--identify", description = "ask each network instrument *IDN? (serial ports are never sent "
            + "anything)")
    boolean identify;

    @Option(names = "--no-serial", negatable = false, description = "leave serial ports out")
    boolean noSerial;

    @Option(names = "--no-mdns", negatable = false, description = "leave mDNS out")
    boolean noMdns;

    @Option(names = "--no-vxi11", negatable = false, description = "leave the VXI-11 broadcast out")
    boolean noVxi11;

    @Option(names = "--type", paramLabel = "SERVICE", description = "browse this DNS-SD type instead of the four "
            + "defaults (repeatable), e.g. _scpi-raw._tcp")
    List<String> types = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Discovery.Builder b = Discovery.builder().identify(identify).serial(!noSerial).mdns(!noMdns)
                .vxi11Broadcast(!noVxi11);
        if (!types.isEmpty()) {
            b.serviceTypes(types);
        }
        if (!json && !noMdns) {
            var addresses = Discovery.multicastAddresses();
            spec.commandLine().getErr().println(addresses.isEmpty()
                    ? "no multicast-capable network interface is up: mDNS cannot see any instrument"
                    : "browsing mDNS on " + addresses.stream().map(a -> a.getHostAddress()).toList() + " for "
                            + Durations.format(timeout));
        }
        long start = System.nanoTime();
        int n = 0;
        try (Stream<FoundInstrument> found = b.build().stream(timeout)) {
            for (var it = found.iterator(); it.hasNext(); ) {
                FoundInstrument f = it.next();
                n++;
                out.println(json ? json(f) : line(f));
                out.flush();
            }
        }
        if (!json) {
            spec.commandLine().getErr().printf("%d found in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    static String line(FoundInstrument f) {
        StringBuilder b = new StringBuilder(f.endpoint()).append("  ");
        b.append(switch (f.source()) {
            case MDNS -> "mDNS ";
            case VXI11_BROADCAST -> "";
            case SERIAL -> "";
        }).append(f.via());
        String who = String.join(" ", Stream.of(f.manufacturer(), f.model(), f.serialNumber())
                .flatMap(java.util.Optional::stream).toList());
        if (!who.isEmpty() && f.source() != dev.labwire.discovery.Source.SERIAL) {
            b.append("  ").append(who);
        }
        f.identity().ifPresent(i -> b.append("  *IDN? ").append(i));
        f.identifyError().ifPresent(e -> b.append("  (not identified: ").append(e).append(')'));
        return b.toString();
    }

    static String json(FoundInstrument f) {
        return new Json().put("endpoint", f.endpoint()).put("source", f.source().name()).put("via", f.via())
                .put("host", f.host()).put("manufacturer", f.manufacturer()).put("model", f.model())
                .put("serialNumber", f.serialNumber()).put("firmware", f.firmware())
                .put("properties", f.properties()).put("identity", f.identity())
                .put("identifyError", f.identifyError()).toString();
    }
}
