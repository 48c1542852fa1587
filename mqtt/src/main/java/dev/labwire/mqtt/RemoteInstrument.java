package dev.labwire.mqtt;

import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.scpi.Scpi;
import dev.labwire.mqtt.internal.ErrorKinds;
import dev.labwire.mqtt.internal.Json;
import dev.labwire.mqtt.internal.MqttClients;
import dev.labwire.mqtt.internal.Outbox;
import dev.labwire.mqtt.internal.Payloads;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An instrument published by an {@link MqttGateway}, called from another process with the calls of a local labwire
 * client: {@code query}, {@code write}, {@code queryNumber}, {@code queryBlock}, blocking or as futures.
 *
 * <pre>{@code
 * try (RemoteInstrument psu = RemoteInstrument.builder(Broker.of("broker.lab", 1883), "psu1").build()) {
 *     String idn = psu.query("*IDN?");
 *     psu.write("VOLT 5");
 *     double v = psu.queryNumber("MEAS:VOLT?", Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <p>Each call is one MQTT 5 request on {@code <prefix>/<instrument>/req} with this client's response topic
 * ({@code <prefix>/reply/<clientId>}) and a fresh correlation id. Deadlines hold end to end: the call's timeout
 * (default 5 s) becomes the message's expiry (whole seconds, rounded up: a broker drops the request when it is
 * stale), its {@code deadline} (the caller's clock: gateway and callers need synchronised clocks, e.g. NTP) and the
 * instrument's timeout at the gateway, minus a margin (a quarter of the timeout, at most 500 ms) for the trip back;
 * the call itself never waits longer than its timeout. A timeout is 1 ms to {@link #MAX_TIMEOUT} (one hour, the
 * longest a gateway takes a request for); a call or {@link Builder#defaultTimeout} outside that range throws
 * {@link IllegalArgumentException} naming the bound, before anything is sent.
 *
 * <p>Failures are labwire's own exceptions: {@link RequestTimeoutException} (the instrument did not answer in time, or
 * no reply came through the broker: gateway or broker down), {@link LinkDownException} (the gateway's link to the
 * instrument is down), {@link RemoteProtocolException} (the instrument sent something labwire refused),
 * {@link LocalProtocolException} (the gateway's client refused: closed), {@link IllegalArgumentException} (a bad
 * command, e.g. {@code write} of a query), and {@link RemoteInstrumentException} for the gateway's own refusals
 * ({@code unknown_instrument}, {@code busy}, ...). A broker that takes nothing (stalled) never blocks a call: beyond
 * 48 requests waiting for their PUBACK the rest wait unsent (at most 10,000; beyond, a call fails at once with
 * {@link LinkDownException}), and a call that ends meanwhile is dropped from that queue;
 * a call made while the client is not connected fails at once with {@link LinkDownException}. Thread-safe; any
 * number of threads may share one. The
 * {@code *Async} futures complete on the MQTT client's callback thread: continuations must not block (use the
 * {@code *Async} variants of {@code CompletableFuture} with your executor to do slow work).
 */
public final class RemoteInstrument implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The {@link RemoteInstrumentException#kind()} when the broker refused to take the request (PUBACK reason code). */
    public static final String NOT_AUTHORIZED_OR_REFUSED = "broker_refused";
    /** The longest timeout of a call: a gateway takes requests of at most one hour ({@code timeoutMs} 1..3600000). */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    private final String name;
    private final String requestTopic;
    private final String replyTopic;
    private final Duration defaultTimeout;
    private final Mqtt5AsyncClient mqtt;
    private final Outbox outbox;
    private final Map<ByteBuffer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final long instance = RANDOM.nextLong();
    private final AtomicLong strayReplies = new AtomicLong();
    private final MqttClients.StopSwitch closed = new MqttClients.StopSwitch();

    private RemoteInstrument(Builder b) {
        this.name = b.instrument;
        this.requestTopic = b.broker.prefix() + "/" + b.instrument + "/req";
        this.replyTopic = b.broker.prefix() + "/reply/" + b.clientId;
        this.defaultTimeout = b.defaultTimeout;
        this.mqtt = MqttClients.build(b.broker, b.clientId, null, null, ctx -> subscribe(), closed);
        this.outbox = new Outbox(mqtt, "RemoteInstrument " + b.instrument, 10_000, 16 << 20, false);
        mqtt.publishes(MqttGlobalPublishFilter.SUBSCRIBED, this::onReply);
    }

    /** A builder for instrument {@code instrument} behind a gateway on {@code broker}. */
    public static Builder builder(Broker broker, String instrument) {
        return new Builder(broker, instrument);
    }

    private CompletableFuture<Void> subscribe() {
        return mqtt.subscribeWith().topicFilter(replyTopic).qos(MqttQos.AT_LEAST_ONCE).send().thenApply(a -> null);
    }

    private void onReply(Mqtt5Publish p) {
        ByteBuffer corr = p.getCorrelationData().orElse(null);
        CompletableFuture<Map<String, Object>> f = corr == null ? null : pending.remove(corr);
        if (f == null) {
            strayReplies.incrementAndGet(); // a reply after its caller gave up, or not ours
            return;
        }
        try {
            f.complete(Json.parseObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            f.completeExceptionally(new RemoteProtocolException("gateway sent a reply that is not JSON: " + e.getMessage()));
        }
    }

    /** The instrument's name. */
    public String name() {
        return name;
    }

    /** Replies that came after their caller gave up (or matched no call). */
    public long strayReplies() {
        return strayReplies.get();
    }

    // ---- async ----

    /** Sends {@code command} and completes with the reply line, within the default timeout. */
    public CompletableFuture<String> queryAsync(String command) {
        return queryAsync(command, defaultTimeout);
    }

    /** Sends {@code command} and completes with the reply line within {@code timeout}. */
    public CompletableFuture<String> queryAsync(String command, Duration timeout) {
        return call(Payloads.Op.QUERY, command, timeout).thenApply(m -> (String) m.get("text"));
    }

    /** Sends {@code command} expecting no reply; completes when the gateway has written it. */
    public CompletableFuture<Void> writeAsync(String command, Duration timeout) {
        return call(Payloads.Op.WRITE, command, timeout).thenApply(m -> null);
    }

    /** Sends {@code command} and completes with the IEEE 488.2 block's bytes. */
    public CompletableFuture<byte[]> queryBlockAsync(String command, Duration timeout) {
        return call(Payloads.Op.QUERY_BLOCK, command, timeout).thenApply(m -> {
            Object b = m.get("bytes");
            if (!(b instanceof String s)) throw new RemoteProtocolException("block reply without \"bytes\"");
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new RemoteProtocolException("block reply with bad base64: " + e.getMessage());
            }
        });
    }

    /** {@code timeout} in ms, checked against 1 ms .. {@link #MAX_TIMEOUT}; the message names the bound passed. */
    private static long checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout " + timeout + " is longer than " + MAX_TIMEOUT
                    + ", the longest a gateway takes a request for");
        }
        long ms = timeout.toMillis();
        if (ms < 1) throw new IllegalArgumentException("timeout " + timeout + " is shorter than 1 ms");
        return ms;
    }

    private CompletableFuture<Map<String, Object>> call(Payloads.Op op, String command, Duration timeout) {
        Objects.requireNonNull(command, "command");
        long ms = checkTimeout(timeout);
        long margin = Math.min(ms / 4, 500);
        ByteBuffer corr = ByteBuffer.allocate(16).putLong(instance).putLong(sequence.incrementAndGet()).flip();
        if (closed.stopped()) throw new LocalProtocolException("RemoteInstrument " + name + " is closed");
        if (!MqttClients.canPublish(mqtt)) {
            return CompletableFuture.failedFuture(new LinkDownException("not connected to the broker (" + mqtt.getState() + ")", null));
        }
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(corr.asReadOnlyBuffer(), f);
        String payload = Payloads.request(op, command, ms - margin, System.currentTimeMillis() + ms);
        Mqtt5Publish request = Mqtt5Publish.builder().topic(requestTopic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).responseTopic(replyTopic).correlationData(corr.asReadOnlyBuffer())
                .messageExpiryInterval((ms + 999) / 1000).contentType("application/json").build();
        // never blocks: beyond the outbox's window the request waits there, and is not sent once the call has ended
        CompletableFuture<Mqtt5PublishResult> sent = outbox.publish(request, null, () -> !f.isDone());
        sent.whenComplete((r, e) -> {
            Throwable err = e != null ? ErrorKinds.unwrap(e) : r.getError().orElse(null);
            if (err == null) return;
            pending.remove(corr);
            if (err instanceof Mqtt5PubAckException ack) {
                // the broker refused the request (an ACL, a quota): it never reached the gateway
                f.completeExceptionally(new RemoteInstrumentException(NOT_AUTHORIZED_OR_REFUSED,
                        "the broker refused the request to " + requestTopic + ": "
                                + ack.getMqttMessage().getReasonCode()));
            } else {
                f.completeExceptionally(new LinkDownException("request to " + name
                        + " not published on the broker: " + err, err));
            }
        });
        Request asLocal = op == Payloads.Op.WRITE ? Request.write(command) : Request.query(command);
        return f.orTimeout(ms, TimeUnit.MILLISECONDS).handle((m, e) -> {
            if (e != null) {
                pending.remove(corr);
                Throwable t = ErrorKinds.unwrap(e);
                if (t instanceof TimeoutException) {
                    String why;
                    if (!sent.isDone()) {
                        why = "the broker has not acknowledged the request to " + name + " (no PUBACK: is it stalled? "
                                + outbox.waitingCount() + " more requests wait to be sent)";
                    } else if (mqtt.getState() != MqttClientState.CONNECTED) {
                        why = "the request to " + name + " went out, then this client's connection to the broker was"
                                + " lost (" + mqtt.getState() + "): the reply could not come";
                    } else {
                        why = "no reply from the gateway through the broker for " + name + " (gateway or broker down?)";
                    }
                    throw new RequestTimeoutException(asLocal, timeout, true, why);
                }
                throw t instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(t);
            }
            if (Boolean.TRUE.equals(m.get("ok"))) return m;
            throw toException(m, asLocal, timeout);
        });
    }

    private RuntimeException toException(Map<String, Object> m, Request request, Duration timeout) {
        String kind = ErrorKinds.INTERNAL;
        String message = "malformed error reply";
        if (m.get("error") instanceof Map<?, ?> err) {
            if (err.get("kind") instanceof String k) kind = k;
            if (err.get("message") instanceof String s) message = s;
        }
        String from = name + " (via gateway): " + message;
        return switch (kind) {
            case ErrorKinds.TIMEOUT -> new RequestTimeoutException(request, timeout, true, from);
            case ErrorKinds.LINK_DOWN -> new LinkDownException(from, null);
            case ErrorKinds.INSTRUMENT -> new RemoteProtocolException(from);
            case ErrorKinds.REFUSED -> new LocalProtocolException(from);
            case ErrorKinds.BAD_REQUEST -> new IllegalArgumentException(from);
            default -> new RemoteInstrumentException(kind, from);
        };
    }

    // ---- blocking ----

    /** The reply line to {@code command}, within the default timeout. */
    public String query(String command) {
        return await(queryAsync(command, defaultTimeout));
    }

    /** The reply line to {@code command}, within {@code timeout}. */
    public String query(String command, Duration timeout) {
        return await(queryAsync(command, timeout));
    }

    /** The reply parsed as a SCPI number ({@code +1.23E+00}), within the default timeout. */
    public double queryNumber(String command) {
        return Scpi.parseNumber(query(command));
    }

    /** The reply parsed as a SCPI number, within {@code timeout}. */
    public double queryNumber(String command, Duration timeout) {
        return Scpi.parseNumber(query(command, timeout));
    }

    /** Sends {@code command} expecting no reply, within the default timeout. */
    public void write(String command) {
        await(writeAsync(command, defaultTimeout));
    }

    /** Sends {@code command} expecting no reply, within {@code timeout}. */
    public void write(String command, Duration timeout) {
        await(writeAsync(command, timeout));
    }

    /** The bytes of the IEEE 488.2 block the instrument answers, within the default timeout. */
    public byte[] queryBlock(String command) {
        return await(queryBlockAsync(command, defaultTimeout));
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException re) {
                re.addSuppressed(new Exception("called from here"));
                throw re;
            }
            throw new IllegalStateException(t);
        }
    }

    /** Disconnects from the broker; calls still waiting fail with {@link LocalProtocolException}. */
    @Override
    public void close() {
        closed.stop();
        pending.values().forEach(f -> f.completeExceptionally(new LocalProtocolException("RemoteInstrument " + name + " closed")));
        pending.clear();
        MqttClients.disconnect(mqtt, mqtt::disconnect, "RemoteInstrument " + name).join();
    }

    @Override
    public String toString() {
        return "RemoteInstrument[" + name + " via " + requestTopic + "]";
    }

    /**
     * Builds a {@link RemoteInstrument}. Defaults: a random client id {@code labwire-remote-<16 hex>}, timeout 5 s.
     */
    public static final class Builder {
        private final Broker broker;
        private final String instrument;
        private String clientId = String.format("labwire-remote-%016x", RANDOM.nextLong());
        private Duration defaultTimeout = Duration.ofSeconds(5);

        private Builder(Broker broker, String instrument) {
            this.broker = Objects.requireNonNull(broker, "broker");
            this.instrument = Poll.checkName(instrument, "instrument name");
        }

        /** The MQTT client id (also the last level of the reply topic; broker ACLs may key on it). */
        public Builder clientId(String id) {
            this.clientId = Poll.checkName(id, "client id");
            return this;
        }

        /** Timeout of calls that name none. */
        public Builder defaultTimeout(Duration timeout) {
            checkTimeout(timeout);
            this.defaultTimeout = timeout;
            return this;
        }

        /**
         * Connects and subscribes to the reply topic, waiting up to 10 s; throws {@link IllegalStateException} naming
         * the broker when it cannot (unreachable, login refused, subscription refused by an ACL).
         */
        public RemoteInstrument build() {
            RemoteInstrument r = new RemoteInstrument(this);
            try {
                r.mqtt.connect().thenCompose(ack -> r.subscribe()).get(10, TimeUnit.SECONDS);
                return r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.close();
                throw new IllegalStateException("interrupted while connecting to " + broker, e);
            } catch (Exception e) {
                r.close();
                throw new IllegalStateException("RemoteInstrument " + instrument + " could not connect to " + broker + ": "
                        + ErrorKinds.unwrap(e), ErrorKinds.unwrap(e));
            }
        }
    }
}
