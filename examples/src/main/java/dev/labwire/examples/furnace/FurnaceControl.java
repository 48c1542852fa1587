package dev.labwire.examples.furnace;

import dev.labwire.examples.furnace.FurnaceClient.Reply;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A vacuum furnace run by a {@link FurnaceServer} that several programs use at once: two mass flow
 * controllers on one RS485 bus, a butterfly valve on RS232 whose moves take a second, and an analog I/O box
 * on TCP, all simulated ({@link SimulatedFurnace}; the serial ones on socat ptys, or on loopback TCP when
 * socat is missing). Three clients connect together: an operator turns the valve, a second program reads
 * both flows over and over while it turns (and gets them in milliseconds, not after the move), and a
 * monitor subscribes to the status line. Prints a transcript and a summary; takes about two seconds.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && mvn -q -B -pl examples exec:java
 * -Dexec.mainClass=dev.labwire.examples.furnace.FurnaceControl}
 *
 * <p>Keep the server running for your own clients with {@code -Dexec.args="serve 7070"}, then in another
 * terminal {@code nc 127.0.0.1 7070} and type {@code 1 mfc1 FLOW?}, {@code 2 valve MOVE 50},
 * {@code 3 SUBSCRIBE status}; Ctrl-C stops it.
 */
public final class FurnaceControl {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /**
     * What the three-client run saw.
     *
     * @param flowsDuringMove  flow readings answered while the valve was moving
     * @param firstFlowMillis  when the first of them arrived, counted from the MOVE request
     * @param moveMillis       how long the MOVE took to be answered
     * @param pressureBeforeMoveAnswered whether the operator's AI? 0, sent after its MOVE, was answered first
     * @param statusLines      status lines the monitor received
     * @param strays           answers that matched no request, on all three clients
     */
    public record Summary(int flowsDuringMove, double firstFlowMillis, double moveMillis,
                          boolean pressureBeforeMoveAnswered, int statusLines, List<String> strays) {
    }

    private final PrintStream out;
    private final long t0 = System.nanoTime();

    FurnaceControl(PrintStream out) {
        this.out = out;
    }

    /** Runs the three-client demo, or with {@code serve [port]} keeps the server up until Ctrl-C. */
    public static void main(String[] args) throws Exception {
        FurnaceControl control = new FurnaceControl(System.out);
        if (args.length > 0 && args[0].equals("serve")) {
            control.serve(args.length > 1 ? Integer.parseInt(args[1]) : 7070);
        } else {
            control.demo();
        }
    }

    private void say(String format, Object... args) {
        out.printf(Locale.ROOT, "[%6.0f ms] %s%n", (System.nanoTime() - t0) / 1e6, String.format(Locale.ROOT, format, args));
    }

    private SimulatedFurnace simulate() {
        SimulatedFurnace sim = SimulatedFurnace.start();
        if (sim.serial()) {
            say("mfc1 (argon, address A) and mfc2 (hydrogen, address B) on an RS485 bus: %s", sim.busEndpoint());
            say("butterfly valve on RS232: %s", sim.valveEndpoint());
        } else {
            say("socat is not installed (apt-get install -y socat): the RS485 bus and the RS232 valve are simulated"
                    + " on loopback TCP instead of serial ptys");
            say("mfc1 and mfc2 on a bus at %s, the valve at %s", sim.busEndpoint(), sim.valveEndpoint());
        }
        say("analog I/O box on TCP: %s", sim.aioEndpoint());
        return sim;
    }

    void serve(int port) throws InterruptedException {
        SimulatedFurnace sim = simulate();
        FurnaceServer server = FurnaceServer.start(sim.endpoints(), port).awaitInstruments(WAIT);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            sim.close();
            stopped.countDown();
        }, "furnace-shutdown"));
        say("furnace server on 127.0.0.1:%d; try: nc 127.0.0.1 %d, then type \"1 mfc1 FLOW?\" (Ctrl-C stops)",
                server.port(), server.port());
        stopped.await();
    }

    /** The three clients at once, against a simulated furnace. */
    Summary demo() throws Exception {
        out.println("labwire furnace control: one server, its instruments on RS485, RS232 and TCP, three clients at once");
        try (SimulatedFurnace sim = simulate();
             FurnaceServer server = FurnaceServer.start(sim.endpoints(), 0).awaitInstruments(WAIT);
             FurnaceClient monitor = FurnaceClient.connect(server.port(), "mon");
             FurnaceClient operator = FurnaceClient.connect(server.port(), "op");
             FurnaceClient reader = FurnaceClient.connect(server.port(), "rd")) {
            say("furnace server on 127.0.0.1:%d, every instrument connected", server.port());

            out.println("\n-- a monitor subscribes to the status line");
            List<Reply> status = new CopyOnWriteArrayList<>();
            CountDownLatch threeStatus = new CountDownLatch(3);
            Reply subscribed = monitor.subscribeStatus(line -> {
                status.add(line);
                if (status.size() <= 3) {
                    say("monitor  < %s %s", line.id(), line.text());
                }
                threeStatus.countDown();
            }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            say("monitor  < %s %s", subscribed.id(), subscribed.text());

            out.println("\n-- the operator turns the valve; the reader polls both flows meanwhile");
            long moveSent = System.nanoTime();
            CompletableFuture<Reply> move = operator.send("valve", "MOVE 80");
            CompletableFuture<Reply> pressure = operator.send("aio", "AI? 0");
            say("operator > op-1 valve MOVE 80, then op-2 aio AI? 0 on the same connection");
            Reply p = pressure.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            say("operator < %s %s mbar  (%.1f ms, while the valve turns)", p.id(), p.text(), p.millis());
            List<Reply> flowReplies = new ArrayList<>();
            long period = Duration.ofMillis(50).toNanos();
            for (long next = System.nanoTime(); !move.isDone(); next += period) {
                LockSupport.parkNanos(next - System.nanoTime()); // a logger's pace: both flows every 50 ms
                CompletableFuture<Reply> f1 = reader.send("mfc1", "FLOW?");
                CompletableFuture<Reply> f2 = reader.send("mfc2", "FLOW?");
                flowReplies.add(f1.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                flowReplies.add(f2.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                if (flowReplies.size() <= 4) {
                    for (Reply r : flowReplies.subList(flowReplies.size() - 2, flowReplies.size())) {
                        say("reader   < %s %s sccm  (%.1f ms)", r.id(), r.text(), r.millis());
                    }
                }
            }
            Reply moved = move.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            List<Reply> duringMove = flowReplies.stream().filter(r -> r.arrivedNanos() < moved.arrivedNanos()).toList();
            int flows = duringMove.size();
            double firstFlow = flows == 0 ? -1 : (duringMove.get(0).arrivedNanos() - moveSent) / 1e6;
            say("operator < %s %s  (the move took %.0f ms; %d flow readings were answered meanwhile)",
                    moved.id(), moved.text(), moved.millis(), flows);
            boolean pressureFirst = p.arrivedNanos() < moved.arrivedNanos();

            out.println("\n-- settings and refusals come back the same way");
            show(operator, "mfc2", "SP 7.5");
            show(operator, "mfc2", "SP?");
            show(operator, "valve", "MOVE 140");
            show(operator, "oven", "ON");

            if (!threeStatus.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the monitor got " + status.size() + " status lines, not 3");
            }
            List<String> strays = new CopyOnWriteArrayList<>();
            for (FurnaceClient c : List.of(monitor, operator, reader)) {
                strays.addAll(c.strays());
            }
            Summary s = new Summary(flows, firstFlow, moved.millis(), pressureFirst, status.size(), List.copyOf(strays));
            out.println();
            say("summary: %d flow readings during the %.0f ms valve move, the first %.1f ms after the MOVE; "
                            + "pressure answered before the move: %s; %d status lines; %d answers without a request",
                    s.flowsDuringMove(), s.moveMillis(), s.firstFlowMillis(), s.pressureBeforeMoveAnswered(),
                    s.statusLines(), s.strays().size());
            return s;
        }
    }

    private void show(FurnaceClient client, String device, String command) throws Exception {
        Reply r = client.send(device, command).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        say("operator > %s %s %s  < %s", r.id(), device, command, r.text());
    }
}
