package dev.labwire.examples.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.modbus.WordOrder;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockModbus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * labwire's own Modbus mock ({@link MockModbus}) cross-checked by an independent master: Debian's {@code mbpoll}
 * (libmodbus), over RTU on a socat pty and over TCP on loopback. Asserts the values mbpoll prints and what its writes
 * leave in the mock.
 */
class ModbusMbpollTest {
    static final Pattern VALUE = Pattern.compile("^\\[(\\d+)\\]:\\s+(\\S+)");

    static boolean mbpollAvailable() {
        return Files.isExecutable(Path.of("/usr/bin/mbpoll"));
    }

    /** Runs mbpoll once; its printed values by reference, and the whole output for messages. */
    static Map<Integer, String> mbpoll(List<String> out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mbpoll", "-1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("mbpoll ends").isTrue();
        out.add(text);
        Map<Integer, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = VALUE.matcher(line.trim());
            if (m.find()) {
                values.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return values;
    }

    @Test
    void mbpollReadsAndWritesTheMockOverRtu() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        assumeTrue(mbpollAvailable(), "mbpoll is not installed (apt-get install -y mbpoll)");
        try (MockModbus mock = MockModbus.rtu()) {
            mock.setHoldingRegisters(0, 11, 22, 33, 44).setCoils(0, true, false, true).setHoldingRegisters(20, WordOrder.ABCD.fromFloat(3.25f));
            String dev = mock.devicePath().toString();
            List<String> out = new ArrayList<>();
            assertThat(mbpoll(out, "-m", "rtu", "-a", "1", "-b", "9600", "-P", "none", "-t", "4", "-r", "1", "-c", "4", dev))
                    .as("%s", out).containsExactly(Map.entry(1, "11"), Map.entry(2, "22"), Map.entry(3, "33"), Map.entry(4, "44"));
            assertThat(mbpoll(out, "-m", "rtu", "-a", "1", "-b", "9600", "-P", "none", "-t", "0", "-r", "1", "-c", "3", dev))
                    .as("%s", out).containsExactly(Map.entry(1, "1"), Map.entry(2, "0"), Map.entry(3, "1"));
            assertThat(Float.parseFloat(mbpoll(out, "-m", "rtu", "-a", "1", "-b", "9600", "-P", "none", "-t", "4:float", "-B",
                    "-r", "21", "-c", "1", dev).get(21))).as("%s", out).isEqualTo(3.25f);
            mbpoll(out, "-m", "rtu", "-a", "1", "-b", "9600", "-P", "none", "-t", "4", "-r", "6", dev, "555");
            assertThat(mock.holdingRegister(5)).as("%s", out).isEqualTo(555);
            mbpoll(out, "-m", "rtu", "-a", "1", "-b", "9600", "-P", "none", "-t", "4", "-r", "10000", "-c", "2", dev);
            assertThat(out.get(out.size() - 1)).containsIgnoringCase("Illegal data address");
            assertThat(mock.badFrames()).isZero();
        }
    }

    @Test
    void mbpollReadsAndWritesTheMockOverTcp() throws Exception {
        assumeTrue(mbpollAvailable(), "mbpoll is not installed (apt-get install -y mbpoll)");
        try (MockModbus mock = MockModbus.tcp()) {
            mock.setInputRegisters(0, 7, 65535).setDiscreteInputs(0, false, true);
            String port = String.valueOf(mock.port());
            List<String> out = new ArrayList<>();
            assertThat(mbpoll(out, "-m", "tcp", "-p", port, "-a", "1", "-t", "3", "-r", "1", "-c", "2", "127.0.0.1"))
                    .as("%s", out).containsExactly(Map.entry(1, "7"), Map.entry(2, "65535")); // mbpoll adds " (-1)", the signed reading
            assertThat(mbpoll(out, "-m", "tcp", "-p", port, "-a", "1", "-t", "1", "-r", "1", "-c", "2", "127.0.0.1"))
                    .as("%s", out).containsExactly(Map.entry(1, "0"), Map.entry(2, "1"));
            mbpoll(out, "-m", "tcp", "-p", port, "-a", "1", "-t", "4", "-r", "1", "127.0.0.1", "5", "6", "7");
            assertThat(new int[] {mock.holdingRegister(0), mock.holdingRegister(1), mock.holdingRegister(2)}).as("%s", out)
                    .containsExactly(5, 6, 7);
            assertThat(mock.requests()).anyMatch(r -> r.startsWith("unit 1: 10 00 00 00 03 06")); // FC 16 as mbpoll sent it
        }
    }
}
