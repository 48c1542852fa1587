package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameReaderTest {

    @Test
    void theJavadocLoopWithALineFramer() {
        FrameReader reader = new FrameReader(LineFramer.lf(4096));
        reader.receive(ByteBuffer.wrap("+1.0E+00\n+2.".getBytes(StandardCharsets.US_ASCII)));
        assertThat(reader.next()).isEqualTo(Frame.of("+1.0E+00"));
        assertThat(reader.next()).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(reader.bufferedBytes()).isEqualTo(3);
        assertThat(reader.bufferCapacity()).isGreaterThanOrEqualTo(3);
        reader.receiveEof();
        FrameResult r = reader.next();
        assertThat(r).isInstanceOf(FramingError.class);
        assertThat(((FramingError) r).exception().kind()).isEqualTo(FramingException.Kind.TRUNCATED);
        assertThat(reader.next()).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThatThrownBy(() -> reader.receive(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void framesFromAFramerShowTheirBytes() {
        FrameReader reader = new FrameReader(BlockFramer.scpi(64));
        reader.receive(ByteBuffer.wrap(new byte[] {'#', '1', '4', 'a', '\n', 0, (byte) 0xFF, '\n'}));
        Frame f = (Frame) reader.next();
        assertThat(f.length()).isEqualTo(4);
        assertThat(f.byteAt(1)).isEqualTo((byte) '\n');
        assertThat(f.toByteArray()).containsExactly('a', '\n', 0, 0xFF);
        assertThat(f.asReadOnlyBuffer().remaining()).isEqualTo(4);
        assertThat(f.asString(StandardCharsets.ISO_8859_1)).isEqualTo("a\n\u0000\u00ff");
        assertThat(f.contentEquals(new byte[] {'a', '\n', 0, (byte) 0xFF})).isTrue();
        assertThat(f.startsWith(new byte[] {'a', '\n'})).isTrue();
        assertThat(f.startsWith(new byte[5])).isFalse();
        assertThat(f.hashCode()).isEqualTo(Frame.of(f.toByteArray()).hashCode());
        assertThat(f.toString()).contains("4 bytes").contains("a\\n\\x00\\xFF");
        assertThat(Frame.of(new byte[0])).isSameAs(Frame.empty());
    }
}
