package dev.labwire.examples.furnace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A client of {@link FurnaceServer}'s line protocol, as an operator's program would write one: requests get
 * ids {@code <name>-1}, {@code <name>-2}, ..., and one reader thread hands each answer to the future of its id,
 * in whatever order the answers come. Plain {@code java.net}: the server's clients need no labwire.
 *
 * <pre>{@code
 * try (FurnaceClient c = FurnaceClient.connect(port, "op")) {
 *     CompletableFuture<Reply> move = c.send("valve", "MOVE 80");   // "op-1 valve MOVE 80"
 *     Reply flow = c.send("mfc1", "FLOW?").join();                  // "op-2 +20.03", long before the move ends
 *     c.subscribeStatus(line -> System.out.println(line.text()));   // "op-3 STATUS seq=1 mfc1=20.03 ..."
 *     move.join();                                                  // "op-1 OK"
 * }
 * }</pre>
 *
 * Thread-safe. An answer whose id matches no request is kept in {@link #strays()} (a correlation bug would
 * show there). When the connection ends, pending futures fail with an {@link UncheckedIOException}.
 */
public final class FurnaceClient implements AutoCloseable {

    /**
     * One answer line {@code <id> <text>}.
     *
     * @param id          the request's id
     * @param text        the answer after the id: the device's reply, {@code OK}, {@code ERR ...} or {@code STATUS ...}
     * @param sentNanos   when the request went out ({@link System#nanoTime()})
     * @param arrivedNanos when the answer arrived
     */
    public record Reply(String id, String text, long sentNanos, long arrivedNanos) {
        /** Whether the server or the device refused or failed the request. */
        public boolean isError() {
            return text.startsWith("ERR");
        }

        /** Milliseconds from the request to this answer. */
        public double millis() {
            return (arrivedNanos - sentNanos) / 1e6;
        }
    }

    private record Pending(CompletableFuture<Reply> future, long sentNanos) {
    }

    private final String name;
    private final Socket socket;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Consumer<Reply>> subscriptions = new ConcurrentHashMap<>();
    private final List<String> strays = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private FurnaceClient(String name, Socket socket) throws IOException {
        this.name = name;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.reader = new Thread(this::readAnswers, "furnace-client " + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects to a furnace server on loopback {@code port}; {@code name} prefixes this client's request ids.
     *
     * @throws UncheckedIOException when the server is not there
     */
    public static FurnaceClient connect(int port, String name) {
        try {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setTcpNoDelay(true);
            return new FurnaceClient(name, s);
        } catch (IOException e) {
            throw new UncheckedIOException("no furnace server on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** Sends {@code <id> <device> <command>}; the future completes with the answer of that id. */
    public CompletableFuture<Reply> send(String device, String command) {
        String id = name + "-" + ids.incrementAndGet();
        CompletableFuture<Reply> f = new CompletableFuture<>();
        long now = System.nanoTime();
        pending.put(id, new Pending(f, now));
        writeLine(id + " " + device + " " + command);
        return f;
    }

    /**
     * Sends {@code <id> SUBSCRIBE status}: {@code statusLines} gets every {@code STATUS ...} answer of that id,
     * on the reader thread (keep it quick); the future completes with the server's {@code OK}.
     */
    public CompletableFuture<Reply> subscribeStatus(Consumer<Reply> statusLines) {
        String id = name + "-" + ids.incrementAndGet();
        subscriptions.put(id, statusLines);
        CompletableFuture<Reply> f = new CompletableFuture<>();
        pending.put(id, new Pending(f, System.nanoTime()));
        writeLine(id + " SUBSCRIBE status");
        return f;
    }

    /** Sends a raw line, for trying what the server does with a bad request; its answer goes to {@link #strays()}. */
    public void sendRaw(String line) {
        writeLine(line);
    }

    /** Answer lines whose id matched no request, oldest first. */
    public List<String> strays() {
        return List.copyOf(strays);
    }

    private void writeLine(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("furnace server connection lost: " + e.getMessage(), e);
        }
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                long now = System.nanoTime();
                int space = line.indexOf(' ');
                String id = space < 0 ? line : line.substring(0, space);
                String text = space < 0 ? "" : line.substring(space + 1);
                Consumer<Reply> subscriber = subscriptions.get(id);
                if (subscriber != null && text.startsWith("STATUS ")) {
                    subscriber.accept(new Reply(id, text, now, now));
                    continue;
                }
                Pending p = pending.remove(id);
                if (p == null) {
                    strays.add(line);
                } else {
                    p.future().complete(new Reply(id, text, p.sentNanos(), now));
                }
            }
        } catch (IOException e) {
            // the socket was closed or reset: fail what is pending, below
        }
        UncheckedIOException gone = new UncheckedIOException(new IOException("furnace server connection closed"));
        pending.values().forEach(p -> p.future().completeExceptionally(gone));
    }

    /** Closes the connection and waits for the reader thread. */
    @Override
    public void close() {
        try {
            socket.close();
            reader.join(5_000);
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FurnaceClient[" + name + ", " + socket.getLocalPort() + " -> " + socket.getPort() + "]";
    }
}
