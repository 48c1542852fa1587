package dev.labwire.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayFileTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("gw.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsTheExampleOfTheDocs() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "MQTT.md"));
        int start = doc.indexOf("```yaml\nbroker:");
        String yaml = doc.substring(start + 8, doc.indexOf("```", start + 8))
                .replace("passwordEnv: LABWIRE_MQTT_PASSWORD", "password: pw");
        var builder = GatewayFile.load(file(yaml));
        assertThat(builder).isNotNull();
    }

    @Test
    void namesTheFileAndThePathOfABadKey() throws Exception {
        assertThatThrownBy(() -> GatewayFile.load(file("broker: {host: h}\ninstruments:\n  - name: a\n    endpoint: tcp://x:1\n"
                + "    polls:\n      - {name: v, command: \"V?\", period: 2}\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gw.yaml")
                .hasMessageContaining("instruments[0].polls[0].period").hasMessageContaining("unit");
        assertThatThrownBy(() -> GatewayFile.load(file("broker: {host: h, prot: 1}\ninstruments: []\n")))
                .hasMessageContaining("broker: unknown key \"prot\"");
        assertThatThrownBy(() -> GatewayFile.load(file("broker: {host: h}\ninstruments: []\n")))
                .hasMessageContaining("instruments: expected a non-empty list");
        assertThatThrownBy(() -> GatewayFile.load(file("broker: {host: h}\ninstruments:\n  - {name: \"a/b\", endpoint: x}\n")))
                .hasMessageContaining("instruments[0]").hasMessageContaining("'/'");
        assertThatThrownBy(() -> GatewayFile.load(file("broker: {host: h}\nbroker: {host: i}\n")))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> GatewayFile.load(file("!!java.io.File x\n"))).hasMessageContaining("not valid YAML");
    }
}
