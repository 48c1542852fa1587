package dev.labwire.mqtt.internal;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one MQTT client publishes, never more than {@link #WINDOW} at a time waiting for the broker's PUBACK.
 *
 * <p>Why: HiveMQ's async {@code publish} blocks the calling thread (an {@code Object.wait} with no bound) while 64 QoS 1
 * publishes of its client wait for their PUBACK. A broker that keeps the connection but takes nothing (stopped, a
 * long GC pause, a hung VM) acknowledges nothing until the keep-alive gives up, 60 to 90 s later; before this class,
 * that froze the gateway's instrument event loop (its stream and poll callbacks publish) and the thread of every
 * {@code RemoteInstrument.queryAsync}, whose deadline then no longer held.
 *
 * <p>Beyond the window, publishes wait here, in order, bounded: one with a {@code key} replaces the one waiting under
 * the same key (a retained value or status: the latest wins, the replaced one is counted); one whose {@code live}
 * test fails when its turn comes is not sent (a call that gave up); past {@code maxWaiting} publishes or
 * {@code maxWaitingBytes} of payload a new unkeyed publish is refused at once (its future fails with
 * {@link Refused}). A rate-limited WARN says when the broker stops taking publishes.
 *
 * <p>Made with {@code resendAfterReconnect}, a publish that failed because the connection was lost (HiveMQ fails what
 * it holds when a clean session ends, and what is handed to it before it is connected again) waits, still live, for
 * {@link #connected()} and goes first then. For replies: a duplicate is harmless (its caller counts it as stray),
 * a lost one costs a call its answer. Not for requests, which could then run twice.
 */
public final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    /** Publishes handed to HiveMQ and not yet acknowledged, at most: below its 64, so that it never blocks. */
    public static final int WINDOW = 48;

    /** The future's failure when a publish is refused (too much waits) or was replaced or given up before sending. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private record Waiting(Mqtt5Publish publish, BooleanSupplier live, CompletableFuture<Mqtt5PublishResult> result) {
        int bytes() {
            return publish.getPayload().map(java.nio.ByteBuffer::remaining).orElse(0);
        }
    }

    private final Mqtt5AsyncClient client;
    private final String owner;
    private final int maxWaiting;
    private final long maxWaitingBytes;
    private final Map<Object, Waiting> waiting = new LinkedHashMap<>(); // guarded by this
    private final java.util.ArrayDeque<Waiting> again = new java.util.ArrayDeque<>(); // guarded by this: resend first
    private final boolean resendAfterReconnect;
    private boolean paused; // guarded by this: the connection was lost, wait for connected()
    private long waitingBytes; // guarded by this
    private int inFlight; // guarded by this
    private long unkeyed; // guarded by this: keys for publishes that replace nothing
    private final AtomicInteger drainers = new AtomicInteger();
    private final AtomicLong replaced = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(60));

    /** An outbox for {@code client}; {@code owner} names it in logs. */
    public Outbox(Mqtt5AsyncClient client, String owner, int maxWaiting, long maxWaitingBytes,
                  boolean resendAfterReconnect) {
        this.client = client;
        this.resendAfterReconnect = resendAfterReconnect;
        this.owner = owner;
        this.maxWaiting = maxWaiting;
        this.maxWaitingBytes = maxWaitingBytes;
    }

    /**
     * Publishes {@code p} now, or when the window has room. The future completes with HiveMQ's result (a PUBACK
     * error in it, or HiveMQ's exception), or fails with {@link Refused}.
     *
     * @param key  publishes under an equal key replace each other while they wait (null: none)
     * @param live asked when its turn comes: false, and it is dropped unsent (its future fails with {@link Refused})
     */
    public CompletableFuture<Mqtt5PublishResult> publish(Mqtt5Publish p, Object key, BooleanSupplier live) {
        CompletableFuture<Mqtt5PublishResult> result = new CompletableFuture<>();
        Waiting w = new Waiting(p, live, result);
        Waiting old;
        synchronized (this) {
            if (key == null) {
                if (waiting.size() >= maxWaiting || waitingBytes + w.bytes() > maxWaitingBytes && !waiting.isEmpty()) {
                    purgeGivenUp();
                }
                if (waiting.size() >= maxWaiting || waitingBytes + w.bytes() > maxWaitingBytes && !waiting.isEmpty()) {
                    refused.incrementAndGet();
                    result.completeExceptionally(new Refused(waiting.size() + " publishes (" + waitingBytes
                            + " bytes) already wait for the broker, which has not acknowledged the last " + inFlight
                            + " (it is stalled or slower than what is published)"));
                    warn();
                    return result;
                }
                key = new Unkeyed(unkeyed++);
            }
            old = waiting.remove(key);
            if (old != null) waitingBytes -= old.bytes();
            waiting.put(key, w);
            waitingBytes += w.bytes();
        }
        if (old != null) {
            replaced.incrementAndGet();
            old.result.completeExceptionally(new Refused("replaced by a newer publish on " + p.getTopic()));
        }
        drain();
        return result;
    }

    private record Unkeyed(long n) {
    }

    private void purgeGivenUp() { // guarded by this
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (!w.live.getAsBoolean()) {
                it.remove();
                waitingBytes -= w.bytes();
                w.result.completeExceptionally(new Refused("given up before it was sent"));
            }
        }
    }

    /** Sends what the window has room for; one thread at a time, the others leave their turn to it. */
    private void drain() {
        if (drainers.getAndIncrement() != 0) return;
        do {
            while (true) {
                Waiting next;
                boolean live;
                synchronized (this) {
                    if (paused || inFlight >= WINDOW || waiting.isEmpty() && again.isEmpty()) {
                        if (!paused && !waiting.isEmpty()) warn();
                        break;
                    }
                    if (!again.isEmpty()) {
                        next = again.poll();
                    } else {
                        Iterator<Waiting> it = waiting.values().iterator();
                        next = it.next();
                        it.remove();
                        waitingBytes -= next.bytes();
                    }
                    live = next.live.getAsBoolean();
                    if (live) inFlight++;
                }
                if (live) send(next);
                else next.result.completeExceptionally(new Refused("given up before it was sent"));
            }
        } while (drainers.decrementAndGet() != 0);
    }

    private void send(Waiting w) {
        CompletableFuture<Mqtt5PublishResult> sent;
        try {
            sent = client.publish(w.publish);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((r, e) -> {
            boolean keep = e != null && resendAfterReconnect && connectionLost(e) && w.live.getAsBoolean();
            synchronized (this) {
                inFlight--;
                if (keep) {
                    again.add(w);
                    paused = true;
                }
            }
            if (keep) {
                // connected again before this failure came (HiveMQ fails what the old session held at the new
                // CONNACK): connected() may have run already, so resend now
                if (client.getState() == MqttClientState.CONNECTED) connected();
                return;
            }
            if (e != null) w.result.completeExceptionally(e);
            else w.result.complete(r);
            drain();
        });
    }

    private static boolean connectionLost(Throwable e) {
        Throwable t = ErrorKinds.unwrap(e);
        return t instanceof MqttClientStateException || t instanceof MqttSessionExpiredException
                || t instanceof ConnectionClosedException;
    }

    /** The client is connected (again): what waited for it goes out, first what the lost connection failed. */
    public void connected() {
        synchronized (this) {
            paused = false;
        }
        drain();
    }

    private void warn() {
        long now = System.nanoTime();
        long last = lastWarn.get();
        if (now - last > TimeUnit.SECONDS.toNanos(10) && lastWarn.compareAndSet(last, now)) {
            log.warn("{}: the broker has not acknowledged the last {} publishes (stalled, or slower than what is"
                    + " published): {} wait, {} replaced by newer values, {} refused so far", owner, WINDOW,
                    waitingCount(), replaced.get(), refused.get());
        }
    }

    /** Publishes waiting for room in the window. */
    public synchronized int waitingCount() {
        return waiting.size() + again.size();
    }

    /** Publishes replaced by a newer one under the same key before they were sent. */
    public long replaced() {
        return replaced.get();
    }

    /** Publishes refused because too much was waiting. */
    public long refused() {
        return refused.get();
    }
}
