package dev.labwire.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesTheTypesOfRfc8259() {
        Map<String, Object> m = Json.parseObject(
                " {\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\",\"i\":-12,\"d\":1.5e3,\"t\":true,\"f\":false,\"n\":null,"
                        + "\"a\":[1,[],{}],\"o\":{\"x\":0}} ");
        assertThat(m.get("s")).isEqualTo("a\"b\\c/\n\u00e9\ud83d\ude00");
        assertThat(m.get("i")).isEqualTo(-12L);
        assertThat(m.get("d")).isEqualTo(1500.0);
        assertThat(m).containsEntry("t", true).containsEntry("f", false).containsEntry("n", null);
        assertThat((List<?>) m.get("a")).hasSize(3);
        assertThat(m.get("o")).isEqualTo(Map.of("x", 0L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
        "{\"a\":1e}", "{\"a\":tru}", "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":\"\u0001\"}", "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u12\"}", "{\"a\":1,\"a\":2}", "{a:1}", "// c\n{}", "{\"a\":NaN}",
        "{\"a\":1e999}", "\"unterminated"})
    void refusesWhatRfc8259DoesNotAllowNamingTheOffset(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("JSON: ").hasMessageContaining("offset");
    }

    @Test
    void boundsNesting() {
        char[] open = new char[Json.MAX_DEPTH];
        char[] close = new char[Json.MAX_DEPTH];
        Arrays.fill(open, '[');
        Arrays.fill(close, ']');
        assertThat(Json.parse(new String(open) + new String(close))).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse("[" + new String(open) + new String(close) + "]"))
                .hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
        // a hostile depth fails fast, without a stack overflow
        assertThatThrownBy(() -> Json.parse("[".repeat(100_000))).hasMessageContaining("nesting");
    }

    @Test
    void writesWhatItReadsBack() {
        Map<String, Object> m = Json.obj("s", "x\"\\\n\t\u0001\u007f\ud83d\ude00", "l", 7L, "d", 2.25, "b", true,
                "nan", Double.NaN, "list", List.of(1L, "two"), "skipped", null);
        String text = Json.write(m);
        assertThat(text).doesNotContain("skipped").contains("\"nan\":\"NaN\"").contains("\\u0001");
        Map<String, Object> back = Json.parseObject(text);
        assertThat(back.get("s")).isEqualTo(m.get("s"));
        assertThat(back).containsEntry("l", 7L).containsEntry("d", 2.25).containsEntry("b", true)
                .containsEntry("list", List.of(1L, "two"));
        // a lone surrogate is escaped, so the output is always valid UTF-8
        assertThat(Json.write("a\ud800b")).isEqualTo("\"a\\ud800b\"");
    }

    @Test
    void requestsAreStrict() {
        Payloads.ParsedRequest r = Payloads.parseRequest("{\"v\":1,\"op\":\"queryBlock\",\"cmd\":\"CURV?\",\"timeoutMs\":250}");
        assertThat(r.op()).isEqualTo(Payloads.Op.QUERY_BLOCK);
        assertThat(r.timeoutMillis()).isEqualTo(250);
        assertThat(Payloads.parseRequest(Payloads.request(Payloads.Op.WRITE, "VOLT 5", 0, 99))).isEqualTo(
                new Payloads.ParsedRequest(Payloads.Op.WRITE, "VOLT 5", 0, 99));
        assertThatThrownBy(() -> Payloads.parseRequest("{\"v\":1,\"op\":\"query\",\"cmd\":\"X?\",\"extra\":1}"))
                .hasMessageContaining("unknown field \"extra\"");
        assertThatThrownBy(() -> Payloads.parseRequest("{\"v\":1,\"op\":\"query\",\"cmd\":7}"))
                .hasMessageContaining("\"cmd\" must be a string");
        assertThatThrownBy(() -> Payloads.parseRequest("{\"v\":1,\"op\":\"query\",\"cmd\":\"X?\",\"timeoutMs\":1.5}"))
                .hasMessageContaining("\"timeoutMs\" must be an integer");
        assertThatThrownBy(() -> Payloads.parseRequest("{\"v\":1,\"op\":\"query\",\"cmd\":\"X?\",\"timeoutMs\":-1}"))
                .hasMessageContaining("timeoutMs");
        assertThatThrownBy(() -> Payloads.parseRequest("{\"op\":\"query\",\"cmd\":\"X?\"}")).hasMessageContaining("missing \"v\"");
        assertThatThrownBy(() -> Payloads.parseRequest("{\"v\":1,\"op\":\"query\",\"cmd\":\"" + "A".repeat(4097) + "\"}"))
                .hasMessageContaining("4097");
    }
}
