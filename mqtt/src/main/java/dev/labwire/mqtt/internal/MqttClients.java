package dev.labwire.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import dev.labwire.mqtt.Broker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.hivemq.client.mqtt.MqttClientState;
import javax.net.ssl.TrustManagerFactory;

/** Builds HiveMQ MQTT 5 async clients for a {@link Broker}: credentials, TLS, automatic reconnect, an optional will. */
public final class MqttClients {
    private static final Logger log = LoggerFactory.getLogger(MqttClients.class);

    private MqttClients() {
    }

    /**
     * Stops a client's reconnecting for good, also one already scheduled. HiveMQ's {@code disconnect()} cannot: while
     * the client waits to reconnect it fails ("not connected") and the reconnect still happens
     * (hivemq-mqtt-client#306, #582, #675), so a gateway or RemoteInstrument closed during a broker outage came back
     * as a live connection (its client id, its subscriptions) once the broker did. So every scheduled reconnect is
     * held on a future that {@link #stop()} completes at once, and the reconnect is then called off.
     */
    public static final class StopSwitch {
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicReference<CompletableFuture<Void>> heldReconnect = new AtomicReference<>();

        /** Throws the switch; true the first time (the caller then closes what it owns). */
        public boolean stop() {
            if (!stopped.compareAndSet(false, true)) return false;
            CompletableFuture<Void> held = heldReconnect.getAndSet(null);
            if (held != null) held.complete(null);
            return true;
        }

        /** True once {@link #stop()} was called. */
        public boolean stopped() {
            return stopped.get();
        }

        private void hold(Mqtt5ClientDisconnectedContext ctx) {
            MqttClientReconnector reconnector = ctx.getReconnector();
            if (stopped()) {
                reconnector.reconnect(false);
                return;
            }
            if (!reconnector.isReconnect()) return;
            // completes when the backoff delay has passed anyway (HiveMQ waits for both), or at once on stop()
            CompletableFuture<Void> gate = new CompletableFuture<Void>()
                    .completeOnTimeout(null, reconnector.getDelay(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS);
            heldReconnect.set(gate);
            if (stopped()) gate.complete(null); // stop() ran between the check above and set
            // runs on the client's event loop, before HiveMQ looks at isReconnect() again
            reconnector.reconnectWhen(gate, (v, e) -> {
                heldReconnect.compareAndSet(gate, null);
                if (stopped()) reconnector.reconnect(false);
            });
        }
    }

    /**
     * An async client (not connected yet) reconnecting by itself (100 ms doubling to 5 s) until {@code stop} is
     * thrown; {@code onConnected} runs on every (re)connection, where the caller subscribes again and republishes
     * what the broker may have lost. A connection made after {@code stop} is closed at once.
     */
    public static Mqtt5AsyncClient build(Broker broker, String clientId, String willTopic, String willPayload,
                                         Consumer<Mqtt5ClientConnectedContext> onConnected, StopSwitch stop) {
        Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
                .identifier(clientId)
                .serverHost(broker.host())
                .serverPort(broker.port())
                .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(5, TimeUnit.SECONDS)
                .applyAutomaticReconnect();
        if (broker.username() != null) {
            b = b.simpleAuth().username(broker.username()).password(broker.password()).applySimpleAuth();
        }
        if (broker.tls()) {
            TrustManagerFactory trust = broker.trust();
            b = trust == null ? b.sslWithDefaultConfig() : b.sslConfig().trustManagerFactory(trust).applySslConfig();
        }
        if (willTopic != null) {
            b = b.willPublish().topic(willTopic).payload(willPayload.getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).retain(true).contentType("application/json").applyWillPublish();
        }
        AtomicReference<Mqtt5AsyncClient> self = new AtomicReference<>();
        b = b.addConnectedListener(ctx -> {
            if (stop.stopped()) {
                self.get().disconnect(); // a connect already under way when stopped
            } else if (onConnected != null) {
                onConnected.accept((Mqtt5ClientConnectedContext) ctx);
            }
        });
        // once stopped, no more reconnects (a gateway that failed to start must not retry in the background forever)
        b = b.addDisconnectedListener(ctx -> stop.hold((Mqtt5ClientDisconnectedContext) ctx));
        self.set(b.buildAsync());
        return self.get();
    }

    /**
     * Disconnects {@code c} by {@code disconnect} if it is connected, waiting at most 2 s; completes normally
     * whatever happens (failures are logged at debug). A client that is not connected is left alone: HiveMQ's
     * {@code disconnect()} would only fail there, and its {@link StopSwitch} calls off the reconnect.
     */
    public static CompletableFuture<Void> disconnect(Mqtt5AsyncClient c, Supplier<CompletableFuture<Void>> disconnect,
                                                     String who) {
        if (c.getState() != MqttClientState.CONNECTED) return CompletableFuture.completedFuture(null);
        return disconnect.get().copy().completeOnTimeout(null, 2, TimeUnit.SECONDS).handle((v, e) -> {
            if (e != null) log.debug("{}: disconnect: {}", who, e.toString());
            return null;
        });
    }

    /**
     * True when a publish may be handed to the client: connected, or reconnecting after having been connected
     * (HiveMQ then fails it at once, "not connected"). While the very first connection is being made, HiveMQ blocks
     * the publishing thread: never do that on an event loop. Publish through an {@link Outbox}, never directly:
     * HiveMQ also blocks the publishing thread while 64 publishes wait for their PUBACK.
     */
    public static boolean canPublish(Mqtt5AsyncClient c) {
        MqttClientState s = c.getState();
        return s == MqttClientState.CONNECTED || s == MqttClientState.DISCONNECTED_RECONNECT
                || s == MqttClientState.CONNECTING_RECONNECT;
    }
}
