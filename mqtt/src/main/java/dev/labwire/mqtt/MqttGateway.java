package dev.labwire.mqtt;

/** Placeholder. */
public final class MqttGateway {
    private MqttGateway() {
    }
}
