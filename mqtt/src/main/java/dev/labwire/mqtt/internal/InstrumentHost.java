package dev.labwire.mqtt.internal;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.Scpi;
import dev.labwire.mqtt.Broker;
import dev.labwire.mqtt.InstrumentSpec;
import dev.labwire.mqtt.Poll;
import dev.labwire.mqtt.Stream;
import dev.labwire.netty.NettyClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One published instrument: its labwire client (whose queue serialises every caller: remote requests and polls
 * never interleave on the wire), its own MQTT connection whose Last Will is the retained "offline" status, its polls
 * and streams. Requests come in through the gateway's request connection and are handed to {@link #call}.
 */
public final class InstrumentHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstrumentHost.class);

    private final InstrumentSpec spec;
    private final String base;
    private final NettyClient client;
    private final Mqtt5AsyncClient mqtt;
    private final Outbox outbox;
    private final ScheduledExecutorService scheduler;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<String> statusPayload = new AtomicReference<>();
    private final Map<String, String> latestValues = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> timers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong pollFailures = new AtomicLong();
    private final AtomicLong valuesPublished = new AtomicLong();
    private final AtomicLong streamFrames = new AtomicLong();
    private final AtomicLong streamCoalesced = new AtomicLong();
    private final MqttClients.StopSwitch closed = new MqttClients.StopSwitch();
    private volatile boolean offline; // written on the client's callback thread only (one call at a time)

    public InstrumentHost(InstrumentSpec spec, Broker broker, String gatewayId, ScheduledExecutorService scheduler,
                          int maxPending) {
        this.spec = spec;
        this.base = broker.prefix() + "/" + spec.name();
        this.scheduler = scheduler;
        this.maxPending = maxPending;
        statusPayload.set(Payloads.status(spec.name(), "connecting", spec.endpoint(), "gateway starting", Instant.now()));
        String will = Payloads.status(spec.name(), "offline", spec.endpoint(),
                "gateway " + gatewayId + " lost its broker connection", null);
        this.mqtt = MqttClients.build(broker, gatewayId + "-" + spec.name(), base + "/status", will, ctx -> republish(),
                closed);
        this.outbox = new Outbox(mqtt, spec.name(), 1_000, 1 << 20, false); // republish() covers a reconnection
        ConnectionConfig config = spec.config();
        if (!spec.streams().isEmpty()) {
            List<byte[]> prefixes = spec.streams().stream().map(s -> s.prefix().getBytes(StandardCharsets.UTF_8)).toList();
            FrameClassifier user = config.classifier();
            config = config.toBuilder().classifier(f -> {
                for (byte[] p : prefixes) {
                    if (f.startsWith(p)) return FrameClassifier.Kind.PUSHED;
                }
                return user.classify(f);
            }).build();
        }
        this.client = NettyClient.builder(spec.endpoint()).config(config).listener(this::onState).build();
    }

    /** Connects to the broker (the future ends at the first CONNACK), then starts polls and streams. */
    public CompletableFuture<Void> start() {
        return mqtt.connect().thenRun(() -> {
            for (Poll p : spec.polls()) {
                AtomicBoolean running = new AtomicBoolean();
                long ms = p.period().toMillis();
                timers.add(scheduler.scheduleAtFixedRate(() -> poll(p, running), 0, ms, TimeUnit.MILLISECONDS));
            }
            if (!spec.streams().isEmpty()) client.pushed().subscribe(new StreamSubscriber());
        });
    }

    public String name() {
        return spec.name();
    }

    public long pollFailures() {
        return pollFailures.get();
    }

    public long valuesPublished() {
        return valuesPublished.get();
    }

    public long streamFrames() {
        return streamFrames.get();
    }

    /**
     * Stream frames replaced by a newer one before their turn to be published, and values and status changes
     * replaced by a newer one of the same topic before the broker took them.
     */
    public long publishesCoalesced() {
        return streamCoalesced.get() + outbox.replaced();
    }

    private void onState(State state, Throwable cause) {
        String s;
        switch (state) {
            case READY -> s = "online";
            case CONNECTING, ON_CONNECT -> s = "connecting";
            default -> s = "offline";
        }
        if (closed.stopped()) return;
        // after a loss, reconnect attempts (CONNECTING, DOWN, CONNECTING, ... with backoff) stay "offline" until the
        // link is READY again: a dashboard should not flicker between offline and connecting every backoff step
        if (s.equals("connecting") && offline) return;
        offline = s.equals("offline");
        String detail = cause == null ? state.name().toLowerCase(java.util.Locale.ROOT)
                : state.name().toLowerCase(java.util.Locale.ROOT) + ": " + cause;
        publishStatus(Payloads.status(spec.name(), s, spec.endpoint(), detail, Instant.now()));
    }

    private void publishStatus(String payload) {
        statusPayload.set(payload);
        publishRetained(base + "/status", payload);
    }

    /** On every broker (re)connection: what a restarted broker may have lost, and what the Will may have replaced. */
    private void republish() {
        publishRetained(base + "/status", statusPayload.get());
        latestValues.forEach((name, payload) -> publishRetained(base + "/value/" + name, payload));
    }

    private CompletableFuture<Mqtt5PublishResult> publishRetained(String topic, String payload) {
        if (!MqttClients.canPublish(mqtt)) { // kept, and published on (re)connection
            return CompletableFuture.failedFuture(new IllegalStateException("not connected: " + mqtt.getState()));
        }
        Mqtt5Publish p = Mqtt5Publish.builder().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).retain(true).contentType("application/json").build();
        // keyed by topic: while the broker does not keep up, only the latest value of each topic waits
        return outbox.publish(p, topic, () -> true).whenComplete((r, e) -> {
            Throwable err = e != null ? ErrorKinds.unwrap(e) : r.getError().orElse(null);
            if (err != null && !(err instanceof Outbox.Refused)) {
                log.debug("{}: publish on {} failed: {}", spec.name(), topic, err.toString());
            }
        });
    }

    private void publishValue(String name, String payload) {
        latestValues.put(name, payload);
        valuesPublished.incrementAndGet();
        publishRetained(base + "/value/" + name, payload);
    }

    private void poll(Poll p, AtomicBoolean running) {
        if (!running.compareAndSet(false, true)) return; // the last one still waits in the queue: skip
        CompletableFuture<String> f;
        try {
            f = client.query(p.command());
        } catch (RuntimeException e) {
            running.set(false);
            pollFailures.incrementAndGet();
            return;
        }
        f.whenComplete((text, e) -> {
            running.set(false);
            if (e != null) {
                pollFailures.incrementAndGet();
                log.debug("{}: poll {} failed: {}", spec.name(), p.name(), e.toString());
                return;
            }
            publishValue(p.name(), Payloads.value(spec.name(), p.name(), p.command(), text, number(text), p.unit(),
                    Instant.now()));
        });
    }

    private static Double number(String text) {
        try {
            return Scpi.parseNumber(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs one request on the instrument: the future gives the reply text (query), null (write) or the bytes
     * (queryBlock), or fails with labwire's exceptions, or a
     * {@link LocalProtocolException} "busy" when more than {@code maxPending} requests already wait.
     */
    public CompletableFuture<Object> call(Payloads.Op op, String command, Duration timeout, boolean[] busy) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            busy[0] = true;
            return CompletableFuture.failedFuture(new LocalProtocolException(spec.name() + " has " + maxPending
                    + " requests waiting (the gateway's maxPending)"));
        }
        CompletableFuture<Object> f;
        try {
            f = switch (op) {
                case QUERY -> (timeout == null ? client.query(command) : client.query(command, timeout)).thenApply(t -> (Object) t);
                case WRITE -> (timeout == null ? client.write(command) : client.write(command, timeout)).thenApply(v -> (Object) null);
                case QUERY_BLOCK -> client.queryBlock(command, spec.config().maxFrameLength(),
                        timeout == null ? spec.config().defaultTimeout() : timeout).thenApply(b -> (Object) b);
            };
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.whenComplete((r, e) -> pending.decrementAndGet());
    }

    @Override
    public void close() {
        closeAsync().join();
    }

    /**
     * Says "offline" (up to 2 s for the broker's PUBACK), disconnects (up to 2 s) and closes the instrument's client
     * (up to 5 s); completes normally within those 9 s whatever the broker does, so a gateway closes all its
     * instruments at once. A final status the broker did not acknowledge is left to the Last Will: the disconnect
     * then asks for it (reason 0x04), since a plain DISCONNECT discards it.
     */
    public CompletableFuture<Void> closeAsync() {
        if (!closed.stop()) return CompletableFuture.completedFuture(null);
        timers.forEach(t -> t.cancel(false));
        String off = Payloads.status(spec.name(), "offline", spec.endpoint(), "gateway stopped", Instant.now());
        statusPayload.set(off);
        CompletableFuture<Boolean> saidOffline = mqtt.getState() != MqttClientState.CONNECTED
                ? CompletableFuture.completedFuture(false)
                : publishRetained(base + "/status", off).thenApply(r -> r.getError().isEmpty());
        return bounded(saidOffline, 2, "publish the final status")
                .thenCompose(said -> MqttClients.disconnect(mqtt, Boolean.TRUE.equals(said) ? mqtt::disconnect
                        : () -> mqtt.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                                .send(), spec.name()))
                .thenCompose(v -> bounded(client.close(), 5, "close the client"))
                .thenApply(v -> null);
    }

    /** {@code f}'s value, or null after {@code seconds} or on failure (logged at debug). */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f, int seconds, String what) {
        return f.copy().completeOnTimeout(null, seconds, TimeUnit.SECONDS).handle((v, e) -> {
            if (e != null) log.debug("{}: could not {}: {}", spec.name(), what, e.toString());
            return e == null ? v : null;
        });
    }

    /**
     * Hands each pushed frame to its stream. Runs on the client's event loop, which also reads the replies behind
     * the frames: it only keeps the frame, so a device pushing as fast as the link allows does not hold up replies
     * (before, building each frame's JSON here made a query under such a flood wait 0.15-1.2 s, or time out with a
     * minInterval of zero).
     */
    private final class StreamSubscriber implements Flow.Subscriber<Frame> {
        private final List<StreamValue> streams = spec.streams().stream().map(StreamValue::new).toList();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE); // the client's pushed buffer is bounded; we keep one frame per stream
        }

        @Override
        public void onNext(Frame frame) {
            streamFrames.incrementAndGet();
            for (StreamValue v : streams) {
                if (frame.startsWith(v.prefix)) {
                    v.offer(frame);
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            log.debug("{}: stream ended: {}", spec.name(), t.toString());
        }

        @Override
        public void onComplete() {
        }
    }

    private record Sample(Frame frame, Instant ts) {
    }

    /**
     * One stream's latest frame, published on the gateway's scheduler at most once per minInterval (with a
     * minInterval of zero, as soon as the scheduler gets to it); a frame replaced before that is counted as coalesced.
     */
    private final class StreamValue {
        private final Stream stream;
        private final byte[] prefix;
        private final AtomicReference<Sample> latest = new AtomicReference<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private volatile long lastPublished = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

        StreamValue(Stream stream) {
            this.stream = stream;
            this.prefix = stream.prefix().getBytes(StandardCharsets.UTF_8);
        }

        void offer(Frame frame) {
            if (latest.getAndSet(new Sample(frame, Instant.now())) != null) streamCoalesced.incrementAndGet();
            if (scheduled.compareAndSet(false, true)) schedule();
        }

        private void schedule() {
            long wait = Math.max(0, lastPublished + stream.minInterval().toNanos() - System.nanoTime());
            try {
                scheduler.schedule(this::publish, wait, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false); // the gateway is closing
            }
        }

        private void publish() {
            Sample s = latest.getAndSet(null);
            if (s != null && !closed.stopped()) {
                lastPublished = System.nanoTime();
                String text = s.frame.asString(StandardCharsets.UTF_8);
                publishValue(stream.name(), Payloads.value(spec.name(), stream.name(), "stream:" + stream.prefix(), text,
                        number(text.substring(stream.prefix().length()).trim()), stream.unit(), s.ts));
            }
            scheduled.set(false);
            // a frame that came while this ran found it scheduled: publish it in turn
            if (latest.get() != null && scheduled.compareAndSet(false, true)) schedule();
        }
    }
}
