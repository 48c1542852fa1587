package dev.labwire.discovery;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The discovery side of the namespace tests, run as a child process inside the test's network namespace
 * (a JVM cannot move into one). Args: timeout in ms, "identify" or "plain", then "mdns" (the default) or
 * "vxi11 BROADCAST-ADDRESS". Prints one line per result as it
 * arrives: {@code <ms since start>\t<endpoint>\t<source>\t<model>\t<serial>\t<identity or error>}, then
 * {@code END <ms>}.
 */
public final class DiscoverMain {
    private DiscoverMain() {}

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Discovery.Builder b = Discovery.builder().serial(false).identify(args[1].equals("identify"))
                .identifyTimeout(Duration.ofSeconds(2));
        // args[2], when given: "vxi11 <broadcast address>" (no mDNS) or "mdns" (no VXI-11 broadcast)
        if (args.length > 2 && args[2].equals("vxi11")) {
            b.mdns(false).broadcastAddresses(List.of(InetAddress.getByName(args[3])));
        } else {
            b.vxi11Broadcast(false);
        }
        Discovery d = b.build();
        try (Stream<FoundInstrument> s = d.stream(Duration.ofMillis(Long.parseLong(args[0])))) {
            s.forEach(f -> System.out.println((System.nanoTime() - start) / 1_000_000 + "\t" + f.endpoint() + "\t"
                    + f.source() + "\t" + f.model().orElse("-") + "\t" + f.serialNumber().orElse("-") + "\t"
                    + f.identity().or(f::identifyError).orElse("-") + "\t" + f.via()));
        }
        System.out.println("END " + (System.nanoTime() - start) / 1_000_000);
        System.out.flush();
        System.exit(0);
    }
}
