package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link Request#query}'s text to bytes: one byte per char for ISO-8859-1 text, '?' included; the first char outside it
 * named with its index. The check looks char by char only where the encoder put a '?', so texts full of real '?',
 * chars just above 0xFF and surrogate pairs are the cases that matter.
 */
class RequestEncodeTest {

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Character> chars = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.chars().range(' ', '~')),
                net.jqwik.api.Tuple.of(3, Arbitraries.just('?')),
                net.jqwik.api.Tuple.of(2, Arbitraries.chars().range('\u0080', '\u00ff')),
                net.jqwik.api.Tuple.of(1, Arbitraries.chars().range('\u0100', '\u2200')),
                net.jqwik.api.Tuple.of(1, Arbitraries.chars().range('\ud800', '\udfff')));
        return chars.list().ofMinSize(1).ofMaxSize(24).map(cs -> {
            StringBuilder b = new StringBuilder();
            cs.forEach(b::append);
            return b.toString();
        });
    }

    @Property(tries = 2000)
    void latinTextIsItsBytesAndAnyOtherCharIsNamedAtItsIndex(@ForAll("texts") String text) {
        int bad = -1;
        for (int i = 0; i < text.length() && bad < 0; i++) {
            if (text.charAt(i) > 0xFF) {
                bad = i;
            }
        }
        if (bad < 0) {
            byte[] p = Request.query(text).payload();
            assertThat(p).hasSize(text.length());
            for (int i = 0; i < p.length; i++) {
                assertThat((char) (p[i] & 0xFF)).isEqualTo(text.charAt(i));
            }
        } else {
            int at = bad;
            assertThatThrownBy(() -> Request.query(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(String.format("U+%04X at index %d", (int) text.charAt(at), at));
        }
    }

    @Test
    void aSurrogatePairAfterQuestionMarksIsNamedAtItsFirstChar() {
        assertThatThrownBy(() -> Request.query("MEAS? ?\ud83d\ude00?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+D83D at index 7");
        assertThat(Request.query("??*IDN??").payload()).containsExactly("??*IDN??".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(Request.query("\u00ff?").payload()).containsExactly((byte) 0xFF, (byte) '?');
    }
}
