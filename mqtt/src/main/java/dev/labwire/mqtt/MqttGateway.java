package dev.labwire.mqtt;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.labwire.mqtt.internal.ErrorKinds;
import dev.labwire.mqtt.internal.InstrumentHost;
import dev.labwire.mqtt.internal.MqttClients;
import dev.labwire.mqtt.internal.Outbox;
import dev.labwire.mqtt.internal.Payloads;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes labwire instruments on an MQTT 5 broker, so that many programs on many machines can use them at once
 * through the messaging system the lab already runs. Each instrument gets one labwire {@code NettyClient}, whose queue
 * serialises every caller: requests from any number of remote processes and the gateway's own polls reach the
 * instrument one at a time, never interleaved. Topics (docs/MQTT.md is the contract, with the JSON schema):
 *
 * <pre>
 * &lt;prefix&gt;/&lt;instrument&gt;/req           requests: MQTT 5 response topic + correlation data; the reply (or the error and its
 *                                   kind: timeout, link_down, instrument, ...) goes to the response topic
 * &lt;prefix&gt;/&lt;instrument&gt;/status        retained: online / connecting / offline; the Last Will makes it "offline" when
 *                                   the gateway dies
 * &lt;prefix&gt;/&lt;instrument&gt;/value/&lt;name&gt;  retained: latest value of a {@link Poll} or {@link Stream}, with unit and time
 * </pre>
 *
 * <pre>{@code
 * try (MqttGateway gw = MqttGateway.builder(Broker.of("broker.lab", 1883))
 *         .instrument(InstrumentSpec.of("psu1", "tcp://192.168.1.50:5025")
 *                 .withPoll(new Poll("voltage", "MEAS:VOLT?", Duration.ofSeconds(1), "V")))
 *         .start(Duration.ofSeconds(10))) {
 *     ... // serve until closed
 * }
 * }</pre>
 *
 * <p>MQTT connections: one that subscribes to {@code <prefix>/+/req} and publishes replies (client id
 * {@code <gatewayId>}), and one per instrument that publishes its status and values (client id
 * {@code <gatewayId>-<instrument>}) and carries that instrument's Last Will: MQTT gives one will per connection.
 * All reconnect by themselves (100 ms doubling to 5 s) and publish their retained topics again on every
 * reconnection, since a restarted broker may have lost them.
 *
 * <p>Bad input never reaches an instrument: a request that is not valid UTF-8 JSON of the schema, names an unknown
 * instrument or op, is larger than {@link Builder#maxPayloadBytes} (default 64 KiB) or whose {@code deadline} has
 * passed gets an error reply on its response topic; one without a response topic is dropped. Both are counted
 * ({@link #rejected()}, {@link #dropped()}). More than {@link Builder#maxPendingPerInstrument} (default 1,000) waiting
 * requests on one instrument: {@code busy}.
 *
 * <p>A broker that keeps the connection but takes nothing (stalled, a long pause) never blocks the gateway: at most
 * 48 publishes per MQTT connection wait for their PUBACK; beyond, only the latest value or status of each topic waits
 * (the rest counted by {@link #valuesCoalesced()}), replies wait in order (at most 10,000 or 16 MiB, each until its
 * expiry), and a WARN says so at most every 10 s. A reply whose connection was lost before the broker took it is sent
 * again on the next connection (a caller may then see it twice: match replies by their correlation data).
 *
 * <p>Logs through SLF4J. Thread-safe. {@link #close()} publishes "offline" for each instrument (left to the Last
 * Will when the broker does not acknowledge it within 2 s), disconnects and closes the instrument clients, all
 * instruments at once, in at most ~9 s whatever the broker does; a gateway closed during a broker outage does not
 * reconnect when the broker returns.
 */
public final class MqttGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttGateway.class);

    private final Broker broker;
    private final String gatewayId;
    private final int maxPayloadBytes;
    private final Map<String, InstrumentHost> hosts = new LinkedHashMap<>();
    private final Mqtt5AsyncClient requests;
    private final Outbox replies;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastDropWarn = new AtomicLong();
    private final MqttClients.StopSwitch closed = new MqttClients.StopSwitch();
    private final String requestFilter;
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>(); // the first SUBACK
    private final int prefixLevels;

    private MqttGateway(Builder b) {
        this.broker = b.broker;
        this.gatewayId = b.gatewayId;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labwire-mqtt-" + gatewayId);
            t.setDaemon(true);
            return t;
        });
        this.requestFilter = broker.prefix() + "/+/req";
        this.prefixLevels = broker.prefix().split("/").length;
        for (InstrumentSpec s : b.instruments) {
            hosts.put(s.name(), new InstrumentHost(s, broker, gatewayId, scheduler, b.maxPending));
        }
        this.requests = MqttClients.build(broker, gatewayId, null, null, ctx -> subscribe(), closed);
        this.replies = new Outbox(requests, "gateway " + gatewayId, 10_000, 16 << 20, true);
        // registered once; subscriptions are (re)made on every connection, so a restarted broker gets them again
        requests.publishes(MqttGlobalPublishFilter.SUBSCRIBED, this::onRequest);
    }

    /** A builder for a gateway on {@code broker}. */
    public static Builder builder(Broker broker) {
        return new Builder(broker);
    }

    private void subscribe() {
        replies.connected();
        requests.subscribeWith().topicFilter(requestFilter).qos(MqttQos.AT_LEAST_ONCE).send()
                .whenComplete((ack, e) -> {
                    if (e != null) {
                        log.warn("gateway {}: subscribing to {} failed: {}", gatewayId, requestFilter, e.toString());
                        subscribed.completeExceptionally(new IllegalStateException("the broker refused the"
                                + " subscription to " + requestFilter + ": " + ErrorKinds.unwrap(e), e));
                    } else {
                        log.debug("gateway {}: subscribed to {}", gatewayId, requestFilter);
                        subscribed.complete(null);
                    }
                });
    }

    /**
     * Subscribes first, then connects the instruments' MQTT connections, so that an instrument's status reads
     * "online" only once requests to it are taken: before, a caller that waited for "online" and sent at once could
     * have its request published before the subscription existed, and lost (seen in RestartTest).
     */
    private CompletableFuture<MqttGateway> startAsync() {
        return requests.connectWith().restrictions()
                // a packet this large is dropped by the broker (MQTT 5 Maximum Packet Size), so memory stays bounded;
                // between maxPayloadBytes and this, the request gets a too_large reply
                .maximumPacketSize(maxPayloadBytes + 65_536).applyRestrictions().send()
                .thenCompose(ack -> subscribed)
                .thenCompose(v -> CompletableFuture.allOf(hosts.values().stream().map(InstrumentHost::start)
                        .toArray(CompletableFuture[]::new)))
                .thenApply(v -> this);
    }

    // ---- requests ----

    private void onRequest(Mqtt5Publish p) {
        try {
            handle(p);
        } catch (RuntimeException e) { // never let one request take the subscription down
            log.warn("gateway {}: request on {} failed unexpectedly", gatewayId, p.getTopic(), e);
            rejected.incrementAndGet();
        }
    }

    private void handle(Mqtt5Publish p) {
        List<String> levels = p.getTopic().getLevels();
        if (levels.size() != prefixLevels + 2 || !"req".equals(levels.get(prefixLevels + 1))) {
            drop(p, "not a request topic");
            return;
        }
        String name = levels.get(prefixLevels);
        if (p.getResponseTopic().isEmpty()) {
            drop(p, "no response topic");
            return;
        }
        String responseTopic = p.getResponseTopic().get().toString();
        ByteBuffer correlation = p.getCorrelationData().orElse(null);
        int size = p.getPayload().map(ByteBuffer::remaining).orElse(0);
        Instant now = Instant.now();
        if (size > maxPayloadBytes) {
            reject(responseTopic, correlation, ErrorKinds.TOO_LARGE,
                    "request payload is " + size + " bytes, more than " + maxPayloadBytes, 0);
            return;
        }
        Payloads.ParsedRequest req;
        try {
            String json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(p.getPayload().orElse(ByteBuffer.allocate(0)))
                    .toString();
            req = Payloads.parseRequest(json);
        } catch (CharacterCodingException e) {
            reject(responseTopic, correlation, ErrorKinds.BAD_REQUEST, "payload is not UTF-8: " + e, 0);
            return;
        } catch (IllegalArgumentException e) {
            reject(responseTopic, correlation, ErrorKinds.BAD_REQUEST, e.getMessage(), 0);
            return;
        }
        InstrumentHost host = hosts.get(name);
        if (host == null) {
            reject(responseTopic, correlation, ErrorKinds.UNKNOWN_INSTRUMENT,
                    "no instrument \"" + name + "\" on gateway " + gatewayId + " (it has " + hosts.keySet() + ")", 0);
            return;
        }
        // the budget: the caller's timeout, cut to what is left of the MQTT message expiry and the deadline
        long budgetMs = req.timeoutMillis();
        if (p.getMessageExpiryInterval().isPresent()) {
            long left = p.getMessageExpiryInterval().getAsLong() * 1000;
            budgetMs = budgetMs == 0 ? left : Math.min(budgetMs, left);
        }
        if (req.deadlineEpochMillis() > 0) {
            long left = req.deadlineEpochMillis() - now.toEpochMilli();
            if (left <= 0) {
                reject(responseTopic, correlation, ErrorKinds.EXPIRED, "the request's deadline passed "
                        + (-left) + " ms ago (gateway clock " + now + ")", 0);
                return;
            }
            budgetMs = budgetMs == 0 ? left : Math.min(budgetMs, left);
        }
        Duration timeout = budgetMs == 0 ? null : Duration.ofMillis(budgetMs);
        long expirySeconds = budgetMs == 0 ? 0 : Math.max(1, (budgetMs + 999) / 1000);
        boolean[] busy = {false};
        host.call(req.op(), req.command(), timeout, busy).whenComplete((result, e) -> {
            Instant ts = Instant.now();
            String payload;
            if (e == null) {
                served.incrementAndGet();
                payload = result instanceof byte[] b ? Payloads.okBytes(b, ts) : Payloads.okText(req.op(), (String) result, ts);
            } else {
                rejected.incrementAndGet();
                Throwable cause = ErrorKinds.unwrap(e);
                payload = Payloads.error(busy[0] ? ErrorKinds.BUSY : ErrorKinds.kindOf(cause), cause.getMessage(), ts);
            }
            reply(responseTopic, correlation, payload, expirySeconds);
        });
    }

    private void reject(String responseTopic, ByteBuffer correlation, String kind, String message, long expiry) {
        rejected.incrementAndGet();
        log.debug("gateway {}: {} ({})", gatewayId, kind, message);
        reply(responseTopic, correlation, Payloads.error(kind, message, Instant.now()), expiry);
    }

    private void drop(Mqtt5Publish p, String why) {
        long n = dropped.incrementAndGet();
        long now = System.nanoTime();
        long last = lastDropWarn.get();
        if (now - last > TimeUnit.SECONDS.toNanos(10) && lastDropWarn.compareAndSet(last, now)) {
            log.warn("gateway {}: dropped a message on {}: {} ({} dropped so far)", gatewayId, p.getTopic(), why, n);
        }
    }

    private void reply(String topic, ByteBuffer correlation, String payload, long expirySeconds) {
        if (!MqttClients.canPublish(requests)) return;
        var b = Mqtt5Publish.builder().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).contentType("application/json");
        if (correlation != null) b = b.correlationData(correlation);
        if (expirySeconds > 0) b = b.messageExpiryInterval(expirySeconds);
        // a reply still waiting for a stalled broker when its expiry passes is not sent: nobody waits for it
        long expires = System.nanoTime() + TimeUnit.SECONDS.toNanos(expirySeconds);
        BooleanSupplier wanted = expirySeconds == 0 ? () -> true : () -> System.nanoTime() - expires < 0;
        replies.publish(b.build(), null, wanted).whenComplete((r, e) -> {
            Throwable err = e != null ? ErrorKinds.unwrap(e) : r.getError().orElse(null);
            if (err != null) log.debug("gateway {}: reply to {} failed: {}", gatewayId, topic, err.toString());
        });
    }

    // ---- counters and lifecycle ----

    /** Requests answered with a reply from the instrument. */
    public long served() {
        return served.get();
    }

    /** Requests answered with an error (bad request, unknown instrument, timeout, link down, ...). */
    public long rejected() {
        return rejected.get();
    }

    /** Messages dropped without a reply: no response topic, or not a request topic. */
    public long dropped() {
        return dropped.get();
    }

    /** Values published (polls and streams) since start. */
    public long valuesPublished() {
        return hosts.values().stream().mapToLong(InstrumentHost::valuesPublished).sum();
    }

    /** Pushed frames the instruments sent for {@link Stream}s (each is published, or coalesced by minInterval). */
    public long streamFrames() {
        return hosts.values().stream().mapToLong(InstrumentHost::streamFrames).sum();
    }

    /**
     * Values (and status changes) not published because a newer one of the same topic came while the broker was not
     * taking publishes (stalled, or slower than the polls and streams): only the latest of each topic waits for it.
     */
    public long valuesCoalesced() {
        return hosts.values().stream().mapToLong(InstrumentHost::publishesCoalesced).sum();
    }

    /** The names of the instruments, in the order they were given. */
    public List<String> instruments() {
        return List.copyOf(hosts.keySet());
    }

    /** The broker this gateway publishes on. */
    public Broker broker() {
        return broker;
    }

    /** Publishes "offline" for every instrument, disconnects from the broker and closes the instrument clients. */
    @Override
    public void close() {
        if (!closed.stop()) return;
        // all at once: a stalled broker costs each its PUBACK and DISCONNECT waits, which must not add up
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(MqttClients.disconnect(requests, requests::disconnect, "gateway " + gatewayId));
        for (InstrumentHost h : hosts.values()) all.add(h.closeAsync());
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        scheduler.shutdownNow();
    }

    @Override
    public String toString() {
        return "MqttGateway[" + gatewayId + " on " + broker + ", " + hosts.keySet() + "]";
    }

    /**
     * Builds a gateway. Defaults: gateway id {@code labwire-gw} (MQTT client ids derive from it: two gateways on one
     * broker need different ids), {@code maxPayloadBytes} 65,536, {@code maxPendingPerInstrument} 1,000.
     */
    public static final class Builder {
        private final Broker broker;
        private String gatewayId = "labwire-gw";
        private int maxPayloadBytes = 65_536;
        private int maxPending = 1_000;
        private final List<InstrumentSpec> instruments = new ArrayList<>();

        private Builder(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
        }

        /** The gateway's id: its MQTT client id and the prefix of its instruments' client ids. */
        public Builder gatewayId(String id) {
            this.gatewayId = Poll.checkName(id, "gateway id");
            return this;
        }

        /** Largest request payload accepted, in bytes (256..16 MiB); larger ones get a {@code too_large} error. */
        public Builder maxPayloadBytes(int bytes) {
            if (bytes < 256 || bytes > 16 << 20) {
                throw new IllegalArgumentException("maxPayloadBytes " + bytes + " is not in 256..16777216");
            }
            this.maxPayloadBytes = bytes;
            return this;
        }

        /** Most requests waiting on one instrument (1..100,000); beyond it requests get a {@code busy} error. */
        public Builder maxPendingPerInstrument(int n) {
            if (n < 1 || n > 100_000) throw new IllegalArgumentException("maxPendingPerInstrument " + n + " is not in 1..100000");
            this.maxPending = n;
            return this;
        }

        /** Adds an instrument; names must be unique. */
        public Builder instrument(InstrumentSpec spec) {
            Objects.requireNonNull(spec, "spec");
            for (InstrumentSpec s : instruments) {
                if (s.name().equals(spec.name())) throw new IllegalArgumentException("two instruments named " + spec.name());
            }
            instruments.add(spec);
            return this;
        }

        /**
         * Opens the instrument clients, connects to the broker and waits up to {@code timeout} for the broker's
         * CONNACKs; the instruments connect in the background (their status topics say when they are online).
         * Throws {@link IllegalStateException} naming the broker when it cannot be reached or refuses the login
         * (the gateway is closed then). A timeout of 292 years or more ({@code ChronoUnit.FOREVER.getDuration()})
         * waits without bound; a negative one throws {@link IllegalArgumentException}.
         */
        public MqttGateway start(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) throw new IllegalArgumentException("start timeout must not be negative: " + timeout);
            if (instruments.isEmpty()) throw new IllegalArgumentException("a gateway needs at least one instrument");
            // held at Long.MAX_VALUE ns (292 years): ChronoUnit.FOREVER's toNanos() would throw
            long nanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
            MqttGateway g = new MqttGateway(this);
            try {
                return g.startAsync().get(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                g.close();
                throw new IllegalStateException("interrupted while connecting to " + broker, e);
            } catch (Exception e) {
                g.close();
                throw new IllegalStateException("gateway " + gatewayId + " could not connect to " + broker + ": "
                        + ErrorKinds.unwrap(e), ErrorKinds.unwrap(e));
            }
        }
    }
}
