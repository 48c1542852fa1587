package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void quotedEscapesControlCharsQuotesAndBackslashes() {
        // chars of byte values are shown as the bytes (Printable); only chars above 0xFF need a \\u escape
        assertThat(Text.quoted("a\tb\\c\"d\re\nf\u0001\u00e9\u20ac")).isEqualTo("\"a\\tb\\\\c\\\"d\\re\\nf\\x01\\xE9\\u20AC\"");
    }

    @Test
    void quotedCutsLongTextAndSaysHowLongItWas() {
        assertThat(Text.quoted("y".repeat(80))).isEqualTo("\"" + "y".repeat(80) + "\"");
        assertThat(Text.quoted("y".repeat(81))).isEqualTo("\"" + "y".repeat(80) + "\"... (81 chars)");
    }
}
