package dev.labwire.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether this user may open a serial port, found without opening it (opening toggles DTR, which resets many boards):
 * the device node's permissions, and on Linux the processes that hold it open ({@code /proc/<pid>/fd}) and UUCP lock
 * files ({@code /var/lock/LCK..ttyUSB0}).
 */
final class PortAccess {

    /** The verdict on one port. */
    enum Verdict { OK, PERMISSION_DENIED, BUSY, MISSING }

    /**
     * @param verdict what stops opening the port, if anything
     * @param detail  who holds it, or which group owns it
     * @param group   the group owning the device node, when known (usually {@code dialout})
     */
    record Access(Verdict verdict, String detail, Optional<String> group) {}

    private PortAccess() {}

    static Access check(String path) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            return new Access(Verdict.MISSING, "no such device", Optional.empty());
        }
        Optional<String> group = group(p);
        if (!Files.isReadable(p) || !Files.isWritable(p)) {
            return new Access(Verdict.PERMISSION_DENIED, group.map(g -> "owned by group " + g).orElse("not readable "
                    + "and writable by this user"), group);
        }
        List<String> holders = holders(p);
        if (!holders.isEmpty()) {
            return new Access(Verdict.BUSY, "open in " + String.join(", ", holders), group);
        }
        Path lock = Path.of("/var/lock", "LCK.." + p.getFileName());
        if (Files.exists(lock)) {
            return new Access(Verdict.BUSY, "lock file " + lock, group);
        }
        return new Access(Verdict.OK, "", group);
    }

    private static Optional<String> group(Path p) {
        try {
            return Optional.of(Files.readAttributes(p, PosixFileAttributes.class).group().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** {@code socat (pid 1234)}, for every process with the device open that this user may look into. */
    static List<String> holders(Path device) {
        List<String> out = new ArrayList<>();
        Path proc = Path.of("/proc");
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") || !Files.isDirectory(proc)) {
            return out;
        }
        Path real;
        try {
            real = device.toRealPath();
        } catch (IOException e) {
            return out;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path pid : pids) {
                if (Long.parseLong(pid.getFileName().toString()) == self) {
                    continue;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
                    for (Path fd : fds) {
                        Path target;
                        try {
                            target = Files.readSymbolicLink(fd);
                        } catch (IOException e) {
                            continue;
                        }
                        if (target.equals(real)) {
                            out.add(command(pid) + " (pid " + pid.getFileName() + ")");
                            break;
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // another user's process: not ours to see
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static String command(Path pid) {
        try {
            return Files.readString(pid.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

}
