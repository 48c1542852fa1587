package dev.labwire.core.scpi;

import dev.labwire.core.frame.Printable;

/** Instrument text in error messages: quoted and escaped by {@link Printable}, cut at one bound. */
final class Text {
    /** Most chars of instrument text quoted in a message. */
    static final int MAX_QUOTED = 80;

    private Text() {
    }

    /** {@code "text"} as {@link Printable#quoted(CharSequence, int)} shows it, cut after {@value #MAX_QUOTED} chars. */
    static String quoted(CharSequence text) {
        return Printable.quoted(text, MAX_QUOTED);
    }
}
