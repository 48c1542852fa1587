package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The one rule (DESIGN.md): protocol-core does no I/O, has no threads and reads no clock. This test
 * reads the constant pool of every compiled main class and fails on any reference to java.net,
 * java.nio.channels, java.util.concurrent, java.time.Clock, Thread, System.nanoTime or
 * System.currentTimeMillis.
 */
class NoIoRuleTest {
    private static final List<String> FORBIDDEN_PACKAGES = List.of(
            "java/net/", "java/nio/channels/", "java/util/concurrent/", "java/time/Clock", "java/lang/Thread");
    private static final List<String> FORBIDDEN_SYSTEM_METHODS = List.of("nanoTime", "currentTimeMillis");

    @Test
    void noMainClassTouchesIoThreadsOrTheClock() throws IOException {
        Path classes = Paths.get("target", "classes");
        assertThat(classes).isDirectory();
        List<String> violations = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                scanned++;
                try (InputStream in = Files.newInputStream(p)) {
                    for (String v : violations(in)) {
                        violations.add(classes.relativize(p) + ": " + v);
                    }
                }
            }
        }
        assertThat(scanned).as("classes scanned").isGreaterThan(20);
        assertThat(violations).isEmpty();
    }

    @Test
    void theScannerCatchesAViolation() throws IOException {
        try (InputStream in = NoIoRuleTest.class.getResourceAsStream("NoIoRuleTest$Offender.class")) {
            List<String> v = violations(in);
            assertThat(v).contains("calls System.nanoTime");
            assertThat(v).anySatisfy(s -> assertThat(s).startsWith("references java/util/concurrent/"));
            assertThat(v).anySatisfy(s -> assertThat(s).startsWith("references java/lang/Thread"));
        }
    }

    @SuppressWarnings("unused")
    static final class Offender {
        long now() {
            Thread.onSpinWait();
            new java.util.concurrent.atomic.AtomicLong();
            return System.nanoTime();
        }
    }

    /** Parses a class file's constant pool (JVMS 4.4) and lists what it references that the rule forbids. */
    static List<String> violations(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] methodRefs = new int[count][];
        int[] natName = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 9, 11 -> {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 10 -> methodRefs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> {
                    natName[i] = in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 17, 18 -> {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        List<String> out = new ArrayList<>();
        for (String s : utf8) {
            if (s == null) {
                continue;
            }
            for (String f : FORBIDDEN_PACKAGES) {
                if (s.contains(f)) {
                    out.add("references " + f + " (in " + s + ")");
                }
            }
        }
        for (int[] ref : methodRefs) {
            if (ref == null) {
                continue;
            }
            String owner = utf8[classNameIndex[ref[0]]];
            String name = utf8[natName[ref[1]]];
            if ("java/lang/System".equals(owner) && FORBIDDEN_SYSTEM_METHODS.contains(name)) {
                out.add("calls System." + name);
            }
        }
        return out;
    }
}
