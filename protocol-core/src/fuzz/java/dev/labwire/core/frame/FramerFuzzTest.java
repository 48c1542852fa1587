package dev.labwire.core.frame;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Jazzer target over every framer: fuzzer-chosen bytes in fuzzer-chosen splits. A framer may answer with frames,
 * framing errors or NeedData, never throw, loop, return a frame above its limit or hold more than
 * {@code max + 16} bytes after a drain. Run: {@code mvn -Pfuzz -pl protocol-core test} (JAZZER_FUZZ=1 to fuzz
 * instead of replaying the corpus).
 */
class FramerFuzzTest {
    private static final int MAX = 64;
    private static final List<Supplier<Framer>> FRAMERS = List.of(
            () -> LineFramer.lf(MAX), () -> LineFramer.crlf(MAX), () -> LineFramer.anyEol(MAX),
            () -> LineFramer.of("END".getBytes(StandardCharsets.US_ASCII), MAX).asciiOnly(),
            () -> BlockFramer.scpi(MAX),
            () -> LengthFieldFramer.builder().lengthFieldWidth(2).maxFrameLength(MAX).build(),
            () -> new FixedLengthFramer(8), () -> new CobsFramer(MAX), () -> new SlipFramer(MAX));

    @FuzzTest(maxDuration = "60s")
    void framersSurviveAnyInput(FuzzedDataProvider data) {
        Framer framer = FRAMERS.get(data.consumeInt(0, FRAMERS.size() - 1)).get();
        InputBuffer in = new InputBuffer(16);
        while (data.remainingBytes() > 0) {
            in.append(data.consumeBytes(data.consumeInt(1, 64)));
            drain(framer, in, false);
            if (in.readableBytes() > MAX + 16) {
                throw new AssertionError("framer holds " + in.readableBytes() + " bytes after a drain");
            }
        }
        drain(framer, in, true);
        if (!in.isEmpty()) {
            throw new AssertionError("bytes left at end of stream");
        }
    }

    private static void drain(Framer framer, InputBuffer in, boolean eof) {
        for (int guard = 0; guard < 100_000; guard++) {
            FrameResult r = eof ? framer.decodeAtEof(in) : framer.decode(in);
            if (r == FrameResult.NeedData.INSTANCE) {
                return;
            }
            if (r instanceof Frame f && f.length() > framer.maxFrameLength()) {
                throw new AssertionError("frame of " + f.length() + " above " + framer.maxFrameLength());
            }
        }
        throw new AssertionError("framer never said NeedData");
    }
}
