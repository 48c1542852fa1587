package dev.labwire.examples.serial;

import dev.labwire.mock.PtyPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code faulty_serial_peer.py} on one end of a socat pty pair: a line-based serial device written in plain Python that
 * misbehaves as real RS232 and USB-serial devices do (see the script's doc string for its faults). {@link #endpoint()}
 * is the other end, for labwire.
 */
final class SerialPeer implements AutoCloseable {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private final PtyPair pty;
    private final Process peer;
    private final Path script;
    /** What the peer printed: "GOT <command>" for each command line it read, "BANNER" for each banner it sent. */
    final List<String> log = new CopyOnWriteArrayList<>();

    private SerialPeer(PtyPair pty, Process peer, Path script) {
        this.pty = pty;
        this.peer = peer;
        this.script = script;
    }

    static boolean available() {
        return Files.isExecutable(PYTHON) && dev.labwire.mock.MockInstrument.socatAvailable();
    }

    /** Starts the peer with these faults and waits until it has the pty open. */
    static SerialPeer start(String... faults) {
        PtyPair pty = PtyPair.open();
        try {
            Path script = Files.createTempFile("faulty_serial_peer", ".py");
            try (var in = SerialPeer.class.getResourceAsStream("/serial/faulty_serial_peer.py")) {
                Files.write(script, in.readAllBytes());
            }
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script.toString(), pty.peerPath().toString()));
            cmd.addAll(List.of(faults));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            SerialPeer peer = new SerialPeer(pty, p, script);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (!"READY".equals(first)) {
                peer.close();
                throw new IllegalStateException("the python peer did not start: " + first);
            }
            Thread drain = new Thread(() -> out.lines().forEach(peer.log::add), "serial-peer-log");
            drain.setDaemon(true);
            drain.start();
            return peer;
        } catch (IOException e) {
            pty.close();
            throw new UncheckedIOException(e);
        }
    }

    String endpoint() {
        return endpoint("");
    }

    /** The endpoint with more settings, e.g. {@code "&flow=xonxoff"}. */
    String endpoint(String more) {
        return "serial:" + pty.clientPath() + "?baud=9600" + more;
    }

    /** The commands the peer read, in order. */
    List<String> commands() {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            if (l.startsWith("GOT ")) {
                out.add(l.substring(4));
            }
        }
        return out;
    }

    @Override
    public void close() {
        peer.destroyForcibly();
        try {
            peer.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pty.close();
        try {
            Files.deleteIfExists(script);
        } catch (IOException e) {
            // a leftover temp file harms nothing
        }
    }
}
