package dev.labwire.cli;

import java.io.InputStream;

/** The standard input the commands read (the shell's lines), set once per run. */
final class Io {
    private static volatile InputStream in = System.in;

    private Io() {}

    static void set(InputStream stream) {
        in = stream;
    }

    static InputStream in() {
        return in;
    }
}
