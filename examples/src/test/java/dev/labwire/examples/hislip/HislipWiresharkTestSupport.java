package dev.labwire.examples.hislip;

/** Shared by the Wireshark cross-checks. */
final class HislipWiresharkTestSupport {
    private HislipWiresharkTestSupport() {
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
