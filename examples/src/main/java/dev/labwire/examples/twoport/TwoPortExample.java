package dev.labwire.examples.twoport;

import java.time.Duration;

/**
 * The two-port protocol reference: a device with a text control port and a binary data port, each driven by
 * the core's request and framer types (a custom {@link ControlReplyFramer}; the core's
 * {@link dev.labwire.core.frame.LengthFieldFramer} for data). Runs against {@link TwoPortSimulator}.
 *
 * <p>Run: {@code mvn -q -B -pl examples exec:java -Dexec.mainClass=dev.labwire.examples.twoport.TwoPortExample}
 */
public final class TwoPortExample {
    private TwoPortExample() {
    }

    public static void main(String[] args) {
        try (TwoPortSimulator device = new TwoPortSimulator();
             ControlPort control = new ControlPort(device.controlEndpoint());
             DataPort data = new DataPort(device.dataEndpoint()).awaitReady(Duration.ofSeconds(5))) {
            System.out.println("channels: " + control.list("LIST CHANNELS"));
            control.command("GAIN 4");
            System.out.println("gain: " + control.command("GAIN?"));
            try {
                control.command("GAIN 99");
            } catch (DeviceException e) {
                System.out.println("refused as expected: " + e.getMessage());
            }
            control.command("START");
            for (int i = 0; i < 5; i++) {
                DataPort.Sample s = data.next(Duration.ofSeconds(1));
                System.out.printf("frame %d: %s%n", s.sequence(), java.util.Arrays.toString(s.channels()));
            }
            control.command("STOP");
        }
    }
}
