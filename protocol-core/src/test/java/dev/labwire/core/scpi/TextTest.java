package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void quotedEscapesControlCharsQuotesAndBackslashes() {
        assertThat(Text.quoted("a\tb\\c\"d\re\nf\u0001\u00e9")).isEqualTo("\"a\\tb\\\\c\\\"d\\re\\nf\\u0001\\u00E9\"");
    }

    @Test
    void quotedCutsLongTextAndSaysHowLongItWas() {
        assertThat(Text.quoted("y".repeat(80))).isEqualTo("\"" + "y".repeat(80) + "\"");
        assertThat(Text.quoted("y".repeat(81))).isEqualTo("\"" + "y".repeat(80) + "\"... (81 chars)");
    }
}
