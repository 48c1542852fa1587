package dev.labwire.discovery;

import java.time.Duration;
import java.util.stream.Stream;

/**
 * The discovery side of {@link DiscoveryNamespaceTest}, run as a child process inside the test's network namespace
 * (a JVM cannot move into one). Args: timeout in ms, "identify" or "plain". Prints one line per result as it
 * arrives: {@code <ms since start>\t<endpoint>\t<source>\t<model>\t<serial>\t<identity or error>}, then
 * {@code END <ms>}.
 */
public final class DiscoverMain {
    private DiscoverMain() {}

    public static void main(String[] args) {
        long start = System.nanoTime();
        Discovery d = Discovery.builder().serial(false).identify(args[1].equals("identify"))
                .identifyTimeout(Duration.ofSeconds(2)).build();
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
