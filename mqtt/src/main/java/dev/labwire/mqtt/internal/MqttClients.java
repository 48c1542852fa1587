package dev.labwire.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import dev.labwire.mqtt.Broker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import com.hivemq.client.mqtt.MqttClientState;
import javax.net.ssl.TrustManagerFactory;

/** Builds HiveMQ MQTT 5 async clients for a {@link Broker}: credentials, TLS, automatic reconnect, an optional will. */
public final class MqttClients {
    private MqttClients() {
    }

    /**
     * An async client (not connected yet) reconnecting by itself (100 ms doubling to 5 s); {@code onConnected} runs on
     * every (re)connection, where the caller subscribes again and republishes what the broker may have lost.
     */
    public static Mqtt5AsyncClient build(Broker broker, String clientId, String willTopic, String willPayload,
                                         Consumer<Mqtt5ClientConnectedContext> onConnected, BooleanSupplier closed) {
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
        if (onConnected != null) {
            b = b.addConnectedListener(ctx -> onConnected.accept((Mqtt5ClientConnectedContext) ctx));
        }
        // once closed, no more reconnects (a gateway that failed to start must not retry in the background forever)
        b = b.addDisconnectedListener(ctx -> {
            if (closed.getAsBoolean()) ctx.getReconnector().reconnect(false);
        });
        return b.buildAsync();
    }

    /**
     * True when a publish may be handed to the client: connected, or reconnecting after having been connected
     * (HiveMQ queues it then). While the very first connection is being made, HiveMQ blocks the publishing thread:
     * never do that on an event loop.
     */
    public static boolean canPublish(Mqtt5AsyncClient c) {
        MqttClientState s = c.getState();
        return s == MqttClientState.CONNECTED || s == MqttClientState.DISCONNECTED_RECONNECT
                || s == MqttClientState.CONNECTING_RECONNECT;
    }
}
