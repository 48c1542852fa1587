package dev.labwire.cli;

import com.fazecast.jSerialComm.SerialPort;
import dev.labwire.serial.SerialPortException;
import dev.labwire.serial.SerialPorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labwire info}: what a bug report needs, and what usually stops serial ports from working. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print the JVM, OS, labwire and jSerialComm versions, where jSerialComm's native library was "
                + "loaded from, whether the temp folder allows executing it, whether you are in the serial ports' "
                + "group, and which labwire modules are present. Paste it into bug reports."})
final class InfoCommand implements Callable<Integer> {

    static final String[][] MODULES = {
            {"labwire-protocol-core", "dev.labwire.core.Connection"},
            {"labwire-client-blocking", "dev.labwire.blocking.BlockingClient"},
            {"labwire-client-netty", "dev.labwire.netty.NettyClient"},
            {"labwire-serial-transport", "dev.labwire.serial.SerialPorts"},
            {"labwire-discovery", "dev.labwire.discovery.Discovery"},
            {"labwire-instrument-mock", "dev.labwire.mock.MockInstrument"},
    };

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"labwire", Versions.labwire()});
        rows.add(new String[] {"Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                + ", " + System.getProperty("java.vm.name") + ") at " + System.getProperty("java.home")});
        rows.add(new String[] {"OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch")});
        String native_;
        String jsc;
        try {
            jsc = SerialPort.getVersion();
            int n = SerialPorts.list().size(); // loads the native library
            native_ = nativeLibrary().orElse("loaded (location not visible on this OS)") + "; " + n
                    + " serial port(s) listed";
        } catch (LinkageError e) {
            jsc = Versions.of("com.fazecast", "jSerialComm").orElse("?");
            native_ = "DID NOT LOAD: " + e.getMessage() + " -- run with -Djava.io.tmpdir=<an exec folder> or "
                    + "-DjSerialComm.library.path=<folder with libjSerialComm.so>";
        }
        rows.add(new String[] {"jSerialComm", jsc});
        rows.add(new String[] {"native library", native_});
        rows.add(new String[] {"temp folder", tempDir()});
        rows.add(new String[] {"serial access", serialAccess()});
        StringBuilder mods = new StringBuilder();
        for (String[] m : MODULES) {
            boolean present = present(m[1]);
            mods.append(mods.length() == 0 ? "" : ", ").append(m[0]).append(' ')
                    .append(present ? Versions.of("dev.labwire", m[0]).orElse("present") : "absent");
        }
        rows.add(new String[] {"modules", mods.toString()});
        rows.add(new String[] {"JmDNS", present("javax.jmdns.JmDNS")
                ? Versions.of("org.jmdns", "jmdns").orElse("present") : "absent"});
        for (String[] r : rows) {
            out.printf("%-15s %s%n", r[0], r[1]);
        }
        out.flush();
        return 0;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, InfoCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Where the loaded libjSerialComm is, from this process's memory map (Linux). */
    static Optional<String> nativeLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(maps).stream().filter(l -> l.contains("jSerialComm"))
                    .map(l -> l.substring(l.indexOf('/'))).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether a file in java.io.tmpdir may be executed (jSerialComm unpacks its library there). */
    static String tempDir() {
        String tmp = System.getProperty("java.io.tmpdir");
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return tmp;
        }
        Path script = null;
        try {
            script = Files.createTempFile("labwire-exec-check", ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(script, "#!/bin/sh\nexit 0\n");
            Process p = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            boolean ended = p.waitFor(5, TimeUnit.SECONDS);
            if (ended && p.exitValue() == 0) {
                return tmp + ": executable files run (ok)";
            }
            return tmp + ": a file there did not run (mounted noexec?); jSerialComm falls back to ~/.jSerialComm, "
                    + "or start Java with -Djava.io.tmpdir=<a folder on an exec mount>";
        } catch (IOException e) {
            return tmp + ": cannot run a file there (" + e.getMessage() + "); mounted noexec? start Java with "
                    + "-Djava.io.tmpdir=<a folder on an exec mount>";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tmp + ": check interrupted";
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException e) {
                    // left behind in the temp folder: harmless
                }
            }
        }
    }

    /** The user, whether they are in the group that owns the serial devices, and the fix if not. */
    static String serialAccess() {
        String user = System.getProperty("user.name");
        Path status = Path.of("/proc/self/status");
        Path groupFile = Path.of("/etc/group");
        if (!Files.isReadable(status) || !Files.isReadable(groupFile)) {
            return "user " + user + " (group membership not visible on this OS)";
        }
        try {
            Set<String> gids = new HashSet<>();
            String uid = "?";
            for (String l : Files.readAllLines(status)) {
                if (l.startsWith("Groups:")) {
                    for (String g : l.substring(7).trim().split("\\s+")) {
                        if (!g.isEmpty()) {
                            gids.add(g);
                        }
                    }
                } else if (l.startsWith("Uid:")) {
                    uid = l.substring(4).trim().split("\\s+")[0];
                } else if (l.startsWith("Gid:")) {
                    gids.add(l.substring(4).trim().split("\\s+")[0]);
                }
            }
            String serialGroup = serialGroup();
            List<String> names = new ArrayList<>();
            boolean member = false;
            for (String l : Files.readAllLines(groupFile)) {
                String[] f = l.split(":", -1);
                if (f.length >= 3 && gids.contains(f[2])) {
                    names.add(f[0]);
                    member |= f[0].equals(serialGroup);
                }
            }
            String s = "user " + user + " (uid " + uid + "), groups " + String.join(" ", names) + "; serial devices "
                    + "belong to group " + serialGroup + ": ";
            if (uid.equals("0")) {
                return s + "root opens any port";
            }
            return s + (member ? "member (ok)" : "NOT a member: " + SerialPortException.DIALOUT_HINT);
        } catch (IOException e) {
            return "user " + user + " (cannot read " + e.getMessage() + ")";
        }
    }

    private static String serialGroup() {
        for (String candidate : List.of("/dev/ttyUSB0", "/dev/ttyACM0", "/dev/ttyS0")) {
            try {
                return Files.readAttributes(Path.of(candidate), java.nio.file.attribute.PosixFileAttributes.class)
                        .group().getName();
            } catch (IOException | UnsupportedOperationException e) {
                // next
            }
        }
        return "dialout";
    }
}
