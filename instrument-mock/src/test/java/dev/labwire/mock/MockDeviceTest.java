package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices described by files (MockDevice), driven by plain loopback sockets. */
class MockDeviceTest {

    private final Loopback loop = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        loop.close();
    }

    private static Path resource(String name) throws Exception {
        return Path.of(MockDeviceTest.class.getResource("/devices/" + name).toURI());
    }

    private Socket psu() throws Exception {
        MockInstrument mock = loop.track(MockInstrument.tcp().device(resource("psu.yaml")));
        return loop.connect(mock.port());
    }

    private static String ask(Socket s, String command) throws Exception {
        Loopback.send(s, command);
        return Loopback.readLine(s);
    }

    /** Sends a command that must not be answered: the next query's answer is the next thing read. */
    private static void tell(Socket s, String command) throws Exception {
        Loopback.send(s, command);
    }

    @Test
    void identityDialoguesAndTheTerminatorComeFromTheFile() throws Exception {
        Socket s = psu();
        assertThat(ask(s, "*IDN?")).isEqualTo("ACME,PSU-1000,SN42,1.2\r\n");
        assertThat(ask(s, "*tst?")).as("case ignored").isEqualTo("0\r\n");
        tell(s, "SYST:BEEP");
        assertThat(ask(s, "MEAS:TEMP? 3")).as("a regex dialogue with a group").isEqualTo("+23.5E+00\r\n");
        assertThat(ask(s, "*OPC?")).as("built-ins still work").isEqualTo("1\r\n");
        long t0 = System.nanoTime();
        assertThat(ask(s, "SLOW?")).isEqualTo("late\r\n");
        assertThat(System.nanoTime() - t0).as("delay_ms 300").isGreaterThanOrEqualTo(280_000_000L);
    }

    @Test
    void propertiesGetSetAndFormat() throws Exception {
        MockInstrument mock = loop.track(MockInstrument.tcp().device(resource("psu.yaml")));
        Socket s = loop.connect(mock.port());
        assertThat(ask(s, "VOLT?")).as("the default, formatted {:.3f}").isEqualTo("0.000\r\n");
        tell(s, "VOLT 12.5");
        assertThat(ask(s, "VOLT?")).isEqualTo("12.500\r\n");
        assertThat(mock.dictionary().property("voltage")).isEqualTo("12.5");
        tell(s, "volt   max");
        assertThat(ask(s, "VOLT?")).as("MAX, blanks and case").isEqualTo("30.000\r\n");
        assertThat(ask(s, "CURR 2.5")).as("a setter's r").isEqualTo("OK\r\n");
        assertThat(ask(s, "CURR?")).isEqualTo("+2.50E+00\r\n");
        tell(s, "OUTP on");
        assertThat(ask(s, "OUTP?")).as("stored as listed in valid").isEqualTo("ON\r\n");
        assertThat(ask(s, "MODE?")).isEqualTo("MODE 1\r\n");
        tell(s, "MODE 4");
        assertThat(ask(s, "MODE?")).isEqualTo("MODE 4\r\n");
        mock.dictionary().property("measured", "4.9876");
        assertThat(ask(s, "MEAS:VOLT?")).as("a getter-only property set by the test").isEqualTo("+4.9876E+00\r\n");
        assertThat(ask(s, "VOLT 7;VOLT?")).as("compound").isEqualTo("7.000\r\n");
        tell(s, "*RST");
        assertThat(ask(s, "VOLT?;OUTP?;MODE?")).as("*RST: the defaults again").isEqualTo("0.000;OFF;MODE 1\r\n");
    }

    @Test
    void aRefusedValueChangesNothingIsNotAnsweredAndQueuesItsError() throws Exception {
        Socket s = psu();
        assertThat(ask(s, "SYST:ERR?")).as("errors.initial").isEqualTo("-310,\"System error\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("+0,\"No error\"\r\n");
        tell(s, "VOLT 5");
        tell(s, "VOLT 31");                    // above max
        tell(s, "VOLT -1");                    // below min
        tell(s, "VOLT five");                  // not a number
        tell(s, "OUTP MAYBE");                 // not in valid
        assertThat(ask(s, "MODE 3")).as("setter e: a reply instead of silence").isEqualTo("BAD MODE\r\n");
        tell(s, "NOPE 1");                     // strict: unknown commands are refused
        assertThat(ask(s, "VOLT?")).as("unchanged").isEqualTo("5.000\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-222,\"Data out of range\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-222,\"Data out of range\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-104,\"Data type error\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-224,\"Illegal parameter value\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-224,\"Illegal parameter value\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-113,\"Undefined header\"\r\n");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("+0,\"No error\"\r\n");
    }

    @Test
    void aRefusedQueryGetsNoReplyAtAll() throws Exception {
        Socket s = psu();
        s.setSoTimeout(300);
        tell(s, "VOLT 99");
        Loopback.send(s, "NOPE?");
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void jsonFilesNeedNoYamlAndCanRenameErrors() throws Exception {
        MockDevice d = MockDevice.load(resource("psu.json"));
        assertThat(d.name()).isEqualTo("Simulated PSU (JSON)");
        assertThat(d.propertyNames()).containsExactly("voltage");
        assertThat(d.replyTerminator()).isEqualTo("\n");
        MockInstrument mock = loop.track(MockInstrument.tcp().device(d));
        Socket s = loop.connect(mock.port());
        assertThat(ask(s, "*IDN?")).isEqualTo("ACME,PSU-1000,SN43,1.2\n");
        tell(s, "VOLT 40");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-222,\"Out of range\"\n");
        assertThat(ask(s, "VOLT?")).isEqualTo("0.000\n");
    }

    @Test
    void strictFalseKeepsTheGenericSettingsStore() throws Exception {
        MockDevice d = MockDevice.parse("{\"strict\": false, \"properties\": {\"v\": {\"default\": 1,"
                + " \"getter\": {\"q\": \"V?\"}}}}", "inline.json");
        MockInstrument mock = loop.track(MockInstrument.tcp().device(d));
        Socket s = loop.connect(mock.port());
        tell(s, "FREQ 50");
        assertThat(ask(s, "FREQ?;V?")).isEqualTo("50;1\n");
        assertThat(d.defaultValue("v")).isEqualTo("1");
        assertThat(mock.dictionary().device()).isSameAs(d);
    }

    @Test
    void pythonStyleFormats() {
        String[][] cases = {
            {"{:.2f}", "3.14159", "3.14"}, {"{:+.3E}", "1234.5", "+1.235E+03"}, {"{:d}", "42", "42"},
            {"{:05d}", "-42", "-0042"}, {"{:>6}", "ab", "    ab"}, {"{:<4}|", "ab", "ab  |"}, {"{:^6}", "ab", "  ab  "},
            {"{{{}}}", "x", "{x}"}, {"{:.3s}", "abcdef", "abc"}, {"V={:08.3f}", "2.5", "V=0002.500"},
        };
        for (String[] c : cases) {
            MockDevice d = MockDevice.parse("{\"properties\": {\"p\": {\"default\": \"" + c[1] + "\", \"getter\":"
                    + " {\"q\": \"P?\", \"r\": \"" + c[0].replace("\\", "\\\\") + "\"}}}}", "f.json");
            ScpiDictionary dict = new ScpiDictionary();
            dict.device(d);
            assertThat(new String(dict.answer("P?").bytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as(c[0]).isEqualTo(c[2] + "\n");
        }
    }

    // ---- bad files: the message names the file, the line, the key and the problem ----

    private static void assertBad(String name, String text, int line, String key, String problem, Path dir)
            throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        assertThatThrownBy(() -> MockDevice.load(f)).isInstanceOfSatisfying(MockDeviceException.class, e -> {
            assertThat(e.source()).isEqualTo(f.toString());
            assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
            assertThat(e.key()).as(e.getMessage()).isEqualTo(key);
            assertThat(e.getMessage()).startsWith(f + ":" + line + ": ").contains(problem);
        });
    }

    @Test
    void badFilesSayWhereAndWhat(@TempDir Path dir) throws Exception {
        assertBad("a.yaml", "device: x\neom: \"\\n\"\n", 2, "eom", "unknown key (write terminator", dir);
        assertBad("b.yaml", "properties:\n  v:\n    default: 1\n    getter: {q: 'V?'}\n    specs:\n      min: low\n",
                6, "properties.v.specs.min", "expected a number, got \"low\"", dir);
        assertBad("c.yaml", "properties:\n  v:\n    default: 50\n    setter: {q: 'V {}'}\n    specs: {max: 10}\n",
                3, "properties.v.default", "does not meet the specs", dir);
        assertBad("d.yaml", "dialogues:\n  - q: A?\n    r: a\n  - r: b\n", 4, "dialogues[1]",
                "exactly one of q", dir);
        assertBad("e.yaml", "dialogues:\n  - match: 'A(\\d'\n    r: a\n", 2, "dialogues[0].match", "not a regex", dir);
        assertBad("f.yaml", "properties:\n  v:\n    default: 1\n    setter: {q: 'V'}\n", 4,
                "properties.v.setter.q", "needs {}", dir);
        assertBad("g.yaml", "identity: a\nidentity: b\n", 2, "identity", "duplicate key", dir);
        assertBad("h.yaml", "dialogues: [ {q: 'A?'\n", 2, "", "invalid YAML", dir);
        assertBad("i.json", "{\n  \"dialogues\": [\n    {\"q\": \"A?\", \"r\": 'a'}\n  ]\n}\n", 3, "",
                "invalid JSON", dir);
        assertBad("j.json", "{\"device\": \"x\",\n \"device\": \"y\"}", 2, "device", "duplicate key", dir);
        assertBad("k.yaml", "properties:\n  v:\n    default: 1\n    getter: {q: 'V?', r: '{:.2q}'}\n", 4,
                "properties.v.getter", "unsupported format", dir);
        assertBad("l.yaml", "dialogues:\n  - match: 'A'\n    r: '$1'\n", 3, "dialogues[0].r", "has 0 group(s)", dir);
        assertBad("m.yaml", "dialogues: 5\n", 1, "dialogues", "expected a list", dir);
        assertThatThrownBy(() -> MockDevice.load(dir.resolve("missing.yaml"))).isInstanceOf(MockDeviceException.class)
                .hasMessageStartingWith(dir.resolve("missing.yaml") + ": cannot read the device file");
    }

    @Test
    void propertyAccessorsRefuseWhatTheDeviceWouldRefuse() throws Exception {
        MockInstrument mock = loop.track(MockInstrument.tcp().scpi());
        assertThatThrownBy(() -> mock.dictionary().property("voltage")).isInstanceOf(IllegalStateException.class);
        mock.device(resource("psu.yaml"));
        assertThatThrownBy(() -> mock.dictionary().property("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no property \"nope\"");
        assertThatThrownBy(() -> mock.dictionary().property("voltage", "99"))
                .hasMessageContaining("Data out of range");
        mock.dictionary().property("voltage", "DEF");
        assertThat(mock.dictionary().property("voltage")).isEqualTo("0.0");
        assertThat(MockDevice.resource(MockDeviceTest.class, "/devices/psu.json").name())
                .isEqualTo("Simulated PSU (JSON)");
        assertThatThrownBy(() -> MockDevice.resource(MockDeviceTest.class, "/devices/none.yaml"))
                .isInstanceOf(MockDeviceException.class).hasMessageContaining("no such resource");
    }
}
