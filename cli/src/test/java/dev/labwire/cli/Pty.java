package dev.labwire.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A pty pair made by {@code socat}, as the project's serial tests make them; {@code socat} holds both ends open. */
final class Pty implements AutoCloseable {
    final Process socat;
    final Path a;
    final Path b;

    Pty(Path dir) throws IOException, InterruptedException {
        assumeTrue(dev.labwire.mock.MockInstrument.socatAvailable(), "needs socat (apt-get install -y socat)");
        a = dir.resolve("ptyA");
        b = dir.resolve("ptyB");
        socat = new ProcessBuilder("socat", "PTY,link=" + a + ",raw,echo=0", "PTY,link=" + b + ",raw,echo=0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(a) && Files.exists(b))) {
            if (System.nanoTime() > deadline || !socat.isAlive()) {
                close();
                throw new IllegalStateException("socat made no pty pair within 10 s");
            }
            socat.waitFor(10, TimeUnit.MILLISECONDS); // wakes early if socat dies
        }
    }

    @Override
    public void close() throws InterruptedException {
        socat.destroy();
        if (!socat.waitFor(5, TimeUnit.SECONDS)) {
            socat.destroyForcibly();
        }
    }
}
