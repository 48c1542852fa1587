/**
 * labwire's MQTT 5 gateway: {@link dev.labwire.mqtt.MqttGateway} owns one labwire client per instrument and
 * publishes it on a broker (request/reply with response topic and correlation data, retained status with a Last
 * Will, retained latest values of polls); {@link dev.labwire.mqtt.RemoteInstrument} calls such an instrument
 * from another process with the {@code query}/{@code write} calls of a local client. The payload schema is in
 * docs/MQTT.md. {@link dev.labwire.mqtt.GatewayMain} runs a gateway from a YAML file.
 */
module dev.labwire.mqtt {
    requires transitive dev.labwire.core;
    requires dev.labwire.netty;
    requires static dev.labwire.serial;
    requires com.hivemq.client.mqtt;
    requires org.slf4j;
    requires org.yaml.snakeyaml;

    exports dev.labwire.mqtt;
}
